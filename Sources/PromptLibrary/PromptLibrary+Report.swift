import Foundation

/// A patch to match, named the way a maintainer recognises it (its subject line).
public struct NamedPatchFacts: Sendable, Hashable {
    public var title: String
    public var facts: PatchFacts

    public init(title: String, facts: PatchFacts) {
        self.title = title
        self.facts = facts
    }
}

/// Plain-text output of `reviewbot prompts list|show|match`.
extension PromptLibrary {
    /// Two lines per file, grouped by kind: name, kind, path and where an override came
    /// from, then the description.
    public func listing() -> String {
        let nameWidth = files.map(\.name.count).max() ?? 4
        let kindWidth = PromptFile.Kind.allCases.map(\.rawValue.count).max() ?? 4
        let kinds = PromptFile.Kind.allCases
        let grouped = files.sorted {
            ($0.kind == $1.kind) ? $0.path < $1.path
                : kinds.firstIndex(of: $0.kind)! < kinds.firstIndex(of: $1.kind)!
        }
        return grouped.map { file in
            var line = file.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + file.kind.rawValue.padding(toLength: kindWidth, withPad: " ", startingAt: 0) + "  "
                + file.path
            if case let .override(directory) = file.origin { line += "  (override from \(directory))" }
            return line + "\n    " + file.description
        }.joined(separator: "\n") + "\n"
    }

    /// The effective file `name`: its origin, validated front matter, and body.
    public func showing(_ name: String) throws -> String {
        let file = try file(named: name)
        var out = "# \(file.path)"
        if case let .override(directory) = file.origin { out += " (override from \(directory))" }
        out += "\nname: \(file.name)\nkind: \(file.kind.rawValue)\ndescription: \(file.description)\n"
        if !file.triggers.isEmpty {
            out += "triggers:\n" + file.triggers.map { trigger in
                "  - \(trigger.kind.rawValue): \(trigger.pattern)\n"
                    + (trigger.changePattern.map { "    change: \($0)\n" } ?? "")
            }.joined()
        }
        return out + "\n" + file.body + "\n"
    }

    /// Per patch: the matched files, each trigger that matched and on what, and the size of
    /// the cacheable prefix the review would send.
    public func matchReport(_ patches: [NamedPatchFacts]) throws -> String {
        var out = ""
        for patch in patches {
            out += patch.title + "\n"
            let matches = matches(for: patch.facts)
            if matches.isEmpty { out += "  no subsystem or pattern file matches\n" }
            for match in matches {
                out += "  \(match.file.path)\n"
                out += match.hits.map { "    \($0)\n" }.joined()
            }
            let prefix = try reviewPrefix(for: patch.facts)
            out += "  prefix: \(prefix.files.count) files, \(prefix.text.utf8.count) bytes, "
                + "about \(prefix.estimatedTokens) tokens\n\n"
        }
        return out
    }
}
