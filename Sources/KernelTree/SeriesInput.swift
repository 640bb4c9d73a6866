import MboxParser

/// One patch of a series as the tree needs it: the text `git apply` reads (a patch mail's
/// body is fine: git skips what is not diff) and the parsed diff for paths and blob ids.
public struct SeriesPatchInput: Sendable, Hashable {
    public var diff: String
    public var files: [FileDiff]
    /// The patch's own `base-commit:` line, if any.
    public var baseCommit: String?

    public init(diff: String, files: [FileDiff], baseCommit: String? = nil) {
        self.diff = diff
        self.files = files
        self.baseCommit = baseCommit
    }

    /// Every path the patch names, old and new side.
    var paths: [String] {
        var seen = Set<String>()
        return files.flatMap { [$0.oldPath, $0.newPath].compactMap { $0 } }.filter { seen.insert($0).inserted }
    }
}

/// How the base of a review was chosen, in the order the choices are tried.
public enum BaseSource: String, Sendable, Hashable, Codable {
    /// The `base-commit:` line of the cover letter or a patch.
    case baseCommitLine = "base-commit"
    /// `--base REV`.
    case userGiven = "user"
    /// The newest commit where every pre-image blob of the patches matches.
    case blobGuess = "blob-guess"
    /// HEAD, with a 3-way apply.
    case head = "head"
}

/// The commit a series is applied to, and how it was found.
public struct BaseChoice: Sendable, Hashable {
    public var commit: String
    public var tree: String
    public var source: BaseSource
    /// One line for a person: `base-commit 1a2b3c4d5e6f ("Linux 6.1-rc3") from the cover letter`.
    public var description: String
}

/// The series applied on its base: the tree after each patch.
public struct AppliedSeries: Sendable, Hashable {
    public var base: BaseChoice
    /// The tree after patch `i` and those before it; a patch that did not apply leaves
    /// the tree as it was.
    public var trees: [String]
    /// 0-based patch index to git's reason.
    public var notApplied: [Int: String]

    /// The tree before patch `i`.
    public func tree(before index: Int) -> String { index == 0 ? base.tree : trees[index - 1] }
}

/// A path from a patch or a tool call, checked before git sees it.
public enum TreePath {
    /// Nil when `path` is usable: relative, inside the tree, no `..`, no git internals.
    public static func problem(_ path: String) -> String? {
        if path.isEmpty { return "empty path" }
        if path.utf8.count > KernelTreeLimits.maxNameBytes { return "path longer than \(KernelTreeLimits.maxNameBytes) bytes" }
        if path.hasPrefix("/") { return "absolute path \(path)" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\u{7F}" }) { return "control character in path" }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { return "path \(path) leaves the tree" }
        if components.contains(where: { $0.lowercased() == ".git" }) { return "path \(path) is inside .git" }
        if path.hasPrefix(":") { return "path \(path) uses pathspec magic" }
        return nil
    }
}
