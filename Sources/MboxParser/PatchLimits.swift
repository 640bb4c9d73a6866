/// Caps on what one patch body can make the parser build. Parsing is linear in the input,
/// so these bound memory (each `DiffLine` costs ~60 bytes however short its line) rather
/// than time. When one is reached the parser stops and says so in `Patch.warnings`.
public struct PatchLimits: Sendable, Hashable {
    /// Files in one patch.
    public var maxFiles: Int
    /// Hunks in one patch.
    public var maxHunks: Int
    /// Diff lines (context, added, removed) in one patch.
    public var maxDiffLines: Int
    /// Bytes of one in-body header with its continuation lines.
    public var maxInBodyHeaderBytes: Int
    /// Bytes of a path in a diff header.
    public var maxPathBytes: Int

    public init(maxFiles: Int = 100_000, maxHunks: Int = 500_000, maxDiffLines: Int = 5_000_000,
                maxInBodyHeaderBytes: Int = 102_400, maxPathBytes: Int = 4_096) {
        self.maxFiles = maxFiles
        self.maxHunks = maxHunks
        self.maxDiffLines = maxDiffLines
        self.maxInBodyHeaderBytes = maxInBodyHeaderBytes
        self.maxPathBytes = maxPathBytes
    }

    /// The defaults, and where each number comes from:
    /// - maxFiles 100,000: tree-wide kernel commits (SPDX tagging, header moves) touch
    ///   around ten thousand files; ten times that is no longer a patch anyone reviews.
    /// - maxHunks 500,000: one per ten diff lines at the line cap; real patches have a
    ///   changed line and usually six lines of context per hunk.
    /// - maxDiffLines 5,000,000: ~300 MB of `DiffLine` values at most, and about fifty
    ///   times the largest patch mails on lore (tree-wide changes of ~100k lines).
    /// - maxInBodyHeaderBytes 102,400: postfix's `header_size_limit` (public-inbox uses
    ///   the same), which real mail headers already obey.
    /// - maxPathBytes 4,096: Linux's PATH_MAX; git cannot check out a longer path, so a
    ///   longer "name" is garbage, not a file.
    public static let standard = PatchLimits()
}
