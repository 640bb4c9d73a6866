import Foundation

/// One entry of a file's `triggers:` list, written `- path: GLOB`, `- symbol: REGEX` or
/// `- message: REGEX`.
public struct Trigger: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A glob matched against every path the patch touches.
        case path
        /// A regex matched against added, removed and context lines, then the commit message.
        case symbol
        /// A regex matched against the commit message only (syzbot tags, `Fixes:` wording).
        case message
    }

    private enum Matcher: Sendable {
        case glob(Glob)
        case regex(CompiledRegex)
    }

    public let kind: Kind
    public let pattern: String
    /// Line of the trigger in its file, for error messages.
    public let line: Int
    private let matcher: Matcher

    /// Parses and compiles one list item; `file` names the file in errors.
    init(_ item: FrontMatter.Item, file: String) throws {
        guard let colon = item.text.firstIndex(of: ":"),
              let kind = Kind(rawValue: item.text[..<colon].trimmingCharacters(in: .whitespaces)) else {
            throw PromptLibraryError.frontMatter(
                file: file, line: item.line,
                problem: "trigger '\(item.text)' must start with 'path:', 'symbol:' or 'message:'")
        }
        let pattern = try FrontMatter.scalar(
            item.text[item.text.index(after: colon)...].trimmingCharacters(in: .whitespaces),
            fail: { PromptLibraryError.frontMatter(file: file, line: item.line, problem: $0) })
        func invalid(_ problem: String) -> PromptLibraryError {
            .invalidTrigger(file: file, line: item.line, pattern: pattern, problem: problem)
        }
        guard !pattern.isEmpty else { throw invalid("empty \(kind.rawValue) pattern") }
        switch kind {
        case .path:
            do { matcher = .glob(try Glob(pattern)) } catch { throw invalid(error.message) }
        case .symbol, .message:
            let regex: CompiledRegex
            do { regex = try CompiledRegex(pattern) } catch {
                throw invalid("regex does not compile (\(error.localizedDescription))")
            }
            // A regex that matches nothing at all would select the file for every patch.
            guard regex.firstMatch(in: "") == nil else { throw invalid("regex matches empty text") }
            matcher = .regex(regex)
        }
        self.kind = kind
        self.pattern = pattern
        self.line = item.line
    }

    /// The trigger as written in the front matter, `kind: pattern`.
    public var description: String { "\(kind.rawValue): \(pattern)" }

    public static func == (lhs: Trigger, rhs: Trigger) -> Bool {
        lhs.kind == rhs.kind && lhs.pattern == rhs.pattern && lhs.line == rhs.line
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(pattern)
        hasher.combine(line)
    }

    /// The first place in the patch this trigger matches, or nil.
    func firstHit(in text: MatchText) -> TriggerHit? {
        switch matcher {
        case let .glob(glob):
            return text.paths.first(where: glob.matches).map { TriggerHit(trigger: self, source: .path, text: $0) }
        case let .regex(regex):
            let sources: [(TriggerHit.Source, String)] = kind == .message
                ? [(.commitMessage, text.commitMessage)]
                : [(.addedLine, text.added), (.removedLine, text.removed), (.contextLine, text.context),
                   (.commitMessage, text.commitMessage)]
            for (source, haystack) in sources {
                if let found = regex.firstMatch(in: haystack) {
                    return TriggerHit(trigger: self, source: source, text: String(found))
                }
            }
            return nil
        }
    }
}

/// Why a file matched: which trigger, where, and the text it matched.
public struct TriggerHit: Sendable, Hashable, CustomStringConvertible {
    public enum Source: String, Sendable, Hashable {
        case path
        case addedLine = "added line"
        case removedLine = "removed line"
        case contextLine = "context line"
        case commitMessage = "commit message"
    }

    public var trigger: Trigger
    public var source: Source
    /// The path, or the matched text (shortened to one line of at most 60 characters).
    public var text: String

    init(trigger: Trigger, source: Source, text: String) {
        self.trigger = trigger
        self.source = source
        let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        self.text = firstLine.count > 60 ? String(firstLine.prefix(57)) + "..." : firstLine
    }

    /// `line 9: symbol \b(bpf_\w+|... -> 'BTF_ID' in added line`; long patterns are cut,
    /// the line number finds them in the file.
    public var description: String {
        let pattern = trigger.pattern.count > 44 ? trigger.pattern.prefix(41) + "..." : trigger.pattern
        let found = source == .path ? text : "'\(text)' in \(source.rawValue)"
        return "line \(trigger.line): \(trigger.kind.rawValue) \(pattern) -> \(found)"
    }
}

/// The patch facts joined once per source, so each regex runs once per source rather than
/// once per line.
struct MatchText: Sendable {
    var paths: [String]
    var added: String
    var removed: String
    var context: String
    var commitMessage: String

    init(_ facts: PatchFacts) {
        paths = facts.paths
        added = facts.addedLines.joined(separator: "\n")
        removed = facts.removedLines.joined(separator: "\n")
        context = facts.contextLines.joined(separator: "\n")
        commitMessage = facts.commitMessage
    }
}
