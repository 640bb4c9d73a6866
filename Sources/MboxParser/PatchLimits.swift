/// Caps on what one patch body can make the parser build. Parsing is linear in the input,
/// so these bound memory (each `DiffLine` costs ~60 bytes however short its line) rather
/// than time. When one is reached the parser stops and says so in `Patch.warnings`.
public enum PatchLimits {
    /// Files in one patch. Tree-wide kernel commits (SPDX tagging, header moves) touch
    /// around ten thousand files; ten times that is no longer a patch anyone reviews.
    public static let maxFiles = 100_000
    /// Hunks in one patch: one per ten diff lines at the cap below, which real patches never
    /// approach (a hunk has at least one changed line and usually six of context).
    public static let maxHunks = 500_000
    /// Diff lines (context, added, removed) in one patch: ~150 MB of `DiffLine` values,
    /// and about forty times the largest patch mails on lore (multi-megabyte tree-wide
    /// changes of ~100k lines).
    public static let maxDiffLines = 5_000_000
    /// Bytes of one in-body header with its continuation lines: same as postfix's
    /// `header_size_limit` (and public-inbox's), which mail headers already obey.
    public static let maxInBodyHeaderBytes = 102_400
    /// Bytes of a path in a diff header: Linux's PATH_MAX. git cannot check out a longer
    /// path, so a longer "name" is garbage, not a file.
    public static let maxPathBytes = 4_096
}
