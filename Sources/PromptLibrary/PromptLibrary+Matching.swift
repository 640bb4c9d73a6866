/// A subsystem, pattern or guide file that applies to a patch, and why.
public struct PromptMatch: Sendable, Hashable {
    public var file: PromptFile
    /// One hit per trigger that matched, in the order the file lists its triggers.
    public var hits: [TriggerHit]
}

/// The part of a review request every task of a patch shares, so the API can cache it:
/// the fixed guides, then the matched subsystem, pattern and mode files.
public struct ReviewPrefix: Sendable {
    public var files: [PromptFile]
    /// The file bodies joined, in `files` order.
    public var text: String

    /// Rough size in tokens (4 bytes per token), for budgets and tests.
    public var estimatedTokens: Int { text.utf8.count / 4 }
}

extension PromptLibrary {
    /// The guides every review request starts with, in this order.
    public static let prefixGuides = ["core", "inline-style", "false-positive-guide"]

    /// The files whose triggers match `facts`: subsystems first, then patterns, then modes
    /// (e.g. syzkaller), each group sorted by path.
    public func matches(for facts: PatchFacts) -> [PromptMatch] {
        let text = MatchText(facts)
        let order: [PromptFile.Kind] = [.subsystem, .pattern, .guide]
        return files
            .filter { !$0.triggers.isEmpty }
            .compactMap { file in
                let hits = file.hits(in: text)
                return hits.isEmpty ? nil : PromptMatch(file: file, hits: hits)
            }
            .sorted { lhs, rhs in
                let left = order.firstIndex(of: lhs.file.kind) ?? order.count
                let right = order.firstIndex(of: rhs.file.kind) ?? order.count
                return left != right ? left < right : lhs.file.path < rhs.file.path
            }
    }

    /// The cacheable prefix for a patch: `prefixGuides`, then every matched file.
    public func reviewPrefix(for facts: PatchFacts) throws -> ReviewPrefix {
        let guides = try Self.prefixGuides.map { try file(named: $0) }
        let selected = guides + matches(for: facts).map(\.file)
        return ReviewPrefix(files: selected, text: selected.map(\.body).joined(separator: "\n\n"))
    }
}
