import Foundation

/// A local git checkout of the kernel (or any C project), read without changing it: no
/// checkout, no change to its working files, index, HEAD, refs, worktrees or object store.
/// What the review writes (the trees of the applied series, the symbol index) lives under
/// `$XDG_CACHE_HOME/reviewbot/trees/<base tree>/`.
public final class KernelTree: Sendable {
    public let repository: GitRepository
    /// `$XDG_CACHE_HOME/reviewbot/trees`.
    public let cacheDirectory: String

    private init(repository: GitRepository, cacheDirectory: String) {
        self.repository = repository
        self.cacheDirectory = cacheDirectory
    }

    /// Opens the repository at `path`; `cacheDirectory` is reviewbot's cache root
    /// (`$XDG_CACHE_HOME/reviewbot`).
    public static func open(path: String, cacheDirectory: String) throws -> KernelTree {
        let trees = cacheDirectory + "/trees"
        let repository = try GitRepository.open(path: path, scratchDirectory: trees + "/objects-scratch")
        return KernelTree(repository: repository, cacheDirectory: trees)
    }

    /// The cache directory of one base tree: its index, and the objects of series applied
    /// on it.
    func directory(forTree treeID: String) -> String { cacheDirectory + "/" + treeID }

    /// The repository, writing new objects under the base tree's cache directory.
    func repository(forTree treeID: String) throws -> GitRepository {
        let scratch = directory(forTree: treeID)
        try GitRepository.makeDirectory(scratch + "/objects/info")
        return GitRepository(path: repository.path, gitDirectory: repository.gitDirectory,
                             objectDirectory: repository.objectDirectory, scratchDirectory: scratch)
    }

    /// The symbol index of `treeID`, built now when the cache does not have it.
    public func symbolIndex(forTree treeID: String) throws -> (index: SymbolIndex, built: Bool) {
        try SymbolIndex.open(repository: try repository(forTree: treeID), treeID: treeID,
                             cacheDirectory: directory(forTree: treeID))
    }

    /// The full id of the commit `revision` names, or nil.
    public func resolveCommit(_ revision: String) throws -> String? {
        try repository.resolveCommit(revision)
    }

    public func treeOf(commit: String) throws -> String {
        try repository.treeOf(commit)
    }
}
