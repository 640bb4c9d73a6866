import Foundation

/// One entry of a file's `triggers:` list. A guide is chosen for what a patch changes:
///
///     - path: GLOB            a file the patch touches
///     - change: REGEX         an added or removed line
///     - function: REGEX       the function a hunk changes (git's `@@ ... @@ context`)
///     - context: REGEX        an unchanged line or the function context of a hunk...
///       change: REGEX         ...whose own added or removed lines match this
///     - message: REGEX        the subject and commit message
///
/// `symbol: REGEX` is the older form that also matches unchanged lines and the commit
/// message. It still loads, with a warning, so override directories written for it keep
/// working; unchanged code alone should not select a guide.
public struct Trigger: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A glob matched against every path the patch touches.
        case path
        /// A regex matched against added and removed lines.
        case change
        /// A regex matched against the function context git writes after a hunk's `@@`:
        /// the hunk changes code inside that function (an ioctl, an URB completion).
        case function
        /// A regex matched against a hunk's unchanged lines and function context, selecting
        /// the file only when the same hunk's changed lines match `changePattern`.
        case context
        /// A regex matched against the commit message only (syzbot tags, `Fixes:` wording).
        case message
        /// Deprecated: a regex matched against added, removed and context lines, then the
        /// commit message.
        case symbol
    }

    private enum Matcher: Sendable {
        case glob(Glob)
        case regex(CompiledRegex)
        case hunk(context: CompiledRegex, change: CompiledRegex)
    }

    public let kind: Kind
    /// The glob or regex after the kind; for `context:`, the context regex.
    public let pattern: String
    /// For `context:`, the regex the same hunk's changed lines must match; nil otherwise.
    public let changePattern: String?
    /// Line of the trigger in its file, for error messages.
    public let line: Int
    private let matcher: Matcher

    /// Parses and compiles one list item; `file` names the file in errors.
    init(_ item: FrontMatter.Item, file: String) throws {
        let (kind, pattern) = try Self.split(item, file: file)
        func invalid(_ problem: String, line: Int = item.line, pattern: String = pattern) -> PromptLibraryError {
            .invalidTrigger(file: file, line: line, pattern: pattern, problem: problem)
        }
        guard !pattern.isEmpty else { throw invalid("empty \(kind.rawValue) pattern") }
        var changePattern: String?
        switch kind {
        case .path:
            do { matcher = .glob(try Glob(pattern)) } catch { throw invalid(error.message) }
        case .change, .function, .message, .symbol:
            matcher = .regex(try Self.regex(pattern, invalid: { invalid($0) }))
        case .context:
            guard let next = item.more.first, case let (.change, change) = try Self.split(next, file: file) else {
                throw PromptLibraryError.frontMatter(
                    file: file, line: item.line,
                    problem: "a 'context:' trigger needs a 'change:' line under it, lined up with 'context:': "
                        + "unchanged code selects a file only next to a change")
            }
            guard !change.isEmpty else { throw invalid("empty change pattern", line: next.line, pattern: change) }
            matcher = .hunk(context: try Self.regex(pattern, invalid: { invalid($0) }),
                            change: try Self.regex(change, invalid: { invalid($0, line: next.line, pattern: change) }))
            changePattern = change
        }
        let extra = item.more.dropFirst(kind == .context ? 1 : 0)
        if let stray = extra.first {
            throw PromptLibraryError.frontMatter(
                file: file, line: stray.line,
                problem: "'\(stray.text)' cannot go under a '\(kind.rawValue):' trigger; "
                    + "only 'context:' takes one more line, its 'change:'")
        }
        self.kind = kind
        self.pattern = pattern
        self.changePattern = changePattern
        self.line = item.line
    }

    /// `kind: pattern` of one line, the pattern unquoted.
    private static func split(_ item: FrontMatter.Item, file: String) throws -> (Kind, String) {
        guard let colon = item.text.firstIndex(of: ":"),
              let kind = Kind(rawValue: item.text[..<colon].trimmingCharacters(in: .whitespaces)) else {
            throw PromptLibraryError.frontMatter(
                file: file, line: item.line,
                problem: "trigger '\(item.text)' must start with 'path:', 'change:', 'function:', 'context:' "
                    + "or 'message:'")
        }
        let pattern = try FrontMatter.scalar(
            item.text[item.text.index(after: colon)...].trimmingCharacters(in: .whitespaces),
            fail: { PromptLibraryError.frontMatter(file: file, line: item.line, problem: $0) })
        return (kind, pattern)
    }

    private static func regex(_ pattern: String, invalid: (String) -> PromptLibraryError) throws -> CompiledRegex {
        let regex: CompiledRegex
        do { regex = try CompiledRegex(pattern) } catch {
            throw invalid("regex does not compile (\(error.localizedDescription))")
        }
        // A regex that matches nothing at all would select the file for every patch.
        guard regex.firstMatch(in: "") == nil else { throw invalid("regex matches empty text") }
        return regex
    }

    /// The trigger as written in the front matter: `kind: pattern`, and for `context:`
    /// its `change:` after a comma.
    public var description: String {
        "\(kind.rawValue): \(pattern)" + (changePattern.map { ", change: \($0)" } ?? "")
    }

    public static func == (lhs: Trigger, rhs: Trigger) -> Bool {
        lhs.kind == rhs.kind && lhs.pattern == rhs.pattern && lhs.changePattern == rhs.changePattern
            && lhs.line == rhs.line
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(pattern)
        hasher.combine(changePattern)
        hasher.combine(line)
    }

    /// The first place in the patch this trigger matches, or nil.
    func firstHit(in text: MatchText) -> TriggerHit? {
        switch matcher {
        case let .glob(glob):
            return text.paths.first(where: glob.matches).map { TriggerHit(trigger: self, source: .path, text: $0) }
        case let .regex(regex):
            if kind == .function {
                return text.hunks.lazy.compactMap { hunk in
                    regex.firstMatch(in: hunk.function).map {
                        TriggerHit(trigger: self, source: .functionContext, text: String($0))
                    }
                }.first
            }
            let sources: [(TriggerHit.Source, String)] = switch kind {
            case .message: [(.commitMessage, text.commitMessage)]
            case .symbol: [(.addedLine, text.added), (.removedLine, text.removed), (.contextLine, text.context),
                           (.commitMessage, text.commitMessage)]
            default: [(.addedLine, text.added), (.removedLine, text.removed)]
            }
            for (source, haystack) in sources {
                if let found = regex.firstMatch(in: haystack) {
                    return TriggerHit(trigger: self, source: source, text: String(found))
                }
            }
            return nil
        case let .hunk(context, change):
            // Most patches fail the context test anywhere; skip the per-hunk walk for them.
            guard context.firstMatch(in: text.context) != nil else { return nil }
            for hunk in text.hunks {
                guard let near = context.firstMatch(in: hunk.function).map({ (TriggerHit.Source.functionContext, $0) })
                    ?? context.firstMatch(in: hunk.context).map({ (.contextLine, $0) }) else { continue }
                for (source, haystack) in [(TriggerHit.Source.addedLine, hunk.added), (.removedLine, hunk.removed)] {
                    if let found = change.firstMatch(in: haystack) {
                        return TriggerHit(trigger: self, source: source, text: String(found),
                                          context: (near.0, String(near.1)))
                    }
                }
            }
            return nil
        }
    }
}

/// The patch facts joined once per source, so each regex runs once per source rather than
/// once per line; per hunk as well, for `context:` triggers.
struct MatchText: Sendable {
    struct Hunk: Sendable {
        var function: String
        var added: String
        var removed: String
        /// The unchanged lines; the function context is `function`.
        var context: String
    }

    var paths: [String]
    var added: String
    var removed: String
    var context: String
    var commitMessage: String
    var hunks: [Hunk]

    init(_ facts: PatchFacts) {
        paths = facts.paths
        hunks = facts.hunks.map {
            Hunk(function: $0.functionContext, added: $0.addedLines.joined(separator: "\n"),
                 removed: $0.removedLines.joined(separator: "\n"), context: $0.contextLines.joined(separator: "\n"))
        }
        added = facts.addedLines.joined(separator: "\n")
        removed = facts.removedLines.joined(separator: "\n")
        context = facts.contextLines.joined(separator: "\n")
        commitMessage = facts.commitMessage
    }
}
