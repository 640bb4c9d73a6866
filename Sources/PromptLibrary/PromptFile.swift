import Foundation

/// One Markdown file of the knowledge base, its front matter validated.
public struct PromptFile: Sendable, Hashable {
    /// What the file is for, from the directory it sits in.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Top-level files: the protocol, the guides, modes such as syzkaller.md.
        case guide
        /// `subsystems/`: rules for one area of the kernel.
        case subsystem
        /// `patterns/`: one common error and how to spot it.
        case pattern
        /// `templates/`: request texts with `{{variables}}`.
        case template

        init(path: String) {
            switch path.split(separator: "/").first {
            case "subsystems": self = .subsystem
            case "patterns": self = .pattern
            case "templates": self = .template
            default: self = .guide
            }
        }
    }

    /// Where the file came from.
    public enum Origin: Sendable, Hashable {
        case bundled
        case override(directory: String)
    }

    /// Path relative to the prompt root, e.g. `subsystems/sound.md`.
    public let path: String
    public let kind: Kind
    public let name: String
    public let description: String
    public let triggers: [Trigger]
    /// The Markdown after the front matter.
    public let body: String
    /// 1-based line of the first body line, so template errors can point into the file.
    public let bodyStartLine: Int
    public let origin: Origin

    /// Keys the front matter may carry; anything else is warned about.
    static let knownKeys: Set<String> = ["name", "description", "triggers"]

    /// Parses `text`; `path` is relative to the prompt root, `displayPath` names the file in
    /// messages. Unknown keys go to `warnings`.
    init(path: String, displayPath: String, text: String, origin: Origin,
         warnings: inout [PromptWarning]) throws {
        let frontMatter = try FrontMatter.parse(text, file: displayPath)
        let kind = Kind(path: path)
        func fail(_ line: Int, _ problem: String) -> PromptLibraryError {
            .frontMatter(file: displayPath, line: line, problem: problem)
        }
        func requiredText(_ key: String) throws -> String {
            guard let entry = frontMatter[key] else { throw fail(1, "missing '\(key):' in the front matter") }
            guard case let .scalar(value) = entry.value, !value.isEmpty else {
                throw fail(entry.line, "'\(key)' must be a single line of text")
            }
            return value
        }
        let name = try requiredText("name")
        guard name.range(of: #"^[a-z0-9][a-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw fail(frontMatter["name"]?.line ?? 1,
                       "name '\(name)' must be lowercase letters, digits, '-', '_' or '.'")
        }
        let description = try requiredText("description")

        var triggers: [Trigger] = []
        if let entry = frontMatter["triggers"] {
            guard case let .list(items) = entry.value else {
                throw fail(entry.line, "'triggers' must be a list of '- path: GLOB' or '- change: REGEX' items")
            }
            var problems: [PromptLibraryError] = []
            for item in items {
                do { triggers.append(try Trigger(item, file: displayPath)) } catch let error as PromptLibraryError {
                    problems.append(error)
                }
            }
            if let problem = PromptLibraryError.combining(problems) { throw problem }
            for trigger in triggers where trigger.kind == .symbol {
                warnings.append(PromptWarning(
                    file: displayPath, line: trigger.line,
                    message: "'symbol:' also matches unchanged lines and the commit message; write 'change:' "
                        + "for added and removed lines, or 'context:' with a 'change:' line under it"))
            }
        }
        if triggers.isEmpty, kind == .subsystem || kind == .pattern {
            throw fail(frontMatter["triggers"]?.line ?? 1,
                       "\(kind.rawValue) files need at least one trigger, or they never match a patch")
        }
        for entry in frontMatter.entries where !Self.knownKeys.contains(entry.key) {
            warnings.append(PromptWarning(file: displayPath, line: entry.line,
                                          message: "unknown key '\(entry.key)' is ignored"))
        }

        self.path = path
        self.kind = kind
        self.name = name
        self.description = description
        self.triggers = triggers
        self.body = frontMatter.body.trimmingCharacters(in: .newlines)
        self.bodyStartLine = frontMatter.bodyStartLine + frontMatter.body.prefix(while: { $0 == "\n" }).count
        self.origin = origin
    }

    /// Every trigger that matches, with where it matched; empty when the file does not apply.
    func hits(in text: MatchText) -> [TriggerHit] {
        triggers.compactMap { $0.firstHit(in: text) }
    }
}
