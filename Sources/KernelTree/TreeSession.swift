import Foundation

/// A series applied to a tree, with the base tree's symbol index: what the context, the
/// tools and the citation check read. Safe to use from several tasks at once.
public final class TreeSession: Sendable {
    public let tree: KernelTree
    public let applied: AppliedSeries
    public let index: SymbolIndex
    /// Whether this session built the index (a cold start) rather than finding it cached.
    public let indexBuilt: Bool
    let git: GitRepository
    let reader: BlobReader
    /// Per patch: every path changed by it and the applied patches before it.
    let changedAfter: [Set<String>]
    private let cache = FileCache()

    init(tree: KernelTree, applied: AppliedSeries, index: SymbolIndex, indexBuilt: Bool,
         series: [SeriesPatchInput], git: GitRepository) {
        self.tree = tree
        self.applied = applied
        self.index = index
        self.indexBuilt = indexBuilt
        self.git = git
        reader = BlobReader(repository: git)
        var changed = Set<String>()
        var perPatch: [Set<String>] = []
        for (number, patch) in series.enumerated() {
            if applied.notApplied[number] == nil { changed.formUnion(patch.paths) }
            perPatch.append(changed)
        }
        changedAfter = perPatch
    }

    /// Chooses the base, applies the series and opens (or builds) the base tree's index.
    public static func prepare(tree: KernelTree, series: [SeriesPatchInput], coverBaseCommit: String?,
                               userBase: String?) throws -> TreeSession {
        let base = try tree.chooseBase(series: series, coverBaseCommit: coverBaseCommit, userBase: userBase)
        let applied = try tree.apply(series, on: base)
        let (index, built) = try tree.symbolIndex(forTree: base.tree)
        return TreeSession(tree: tree, applied: applied, index: index, indexBuilt: built, series: series,
                           git: try tree.repository(forTree: base.tree))
    }

    /// Which state of the tree a read sees.
    public enum Version: Sendable, Hashable {
        /// Before the series.
        case base
        /// After patch `n` (0-based) and those before it.
        case after(Int)
        /// Before patch `n`: after the patches before it.
        case before(Int)
    }

    func view(_ version: Version) -> TreeView {
        switch version {
        case .base:
            return TreeView(session: self, tree: applied.base.tree, changed: [], label: "before the series")
        case .after(let n):
            let n = min(max(n, 0), applied.trees.count - 1)
            guard n >= 0 else { return view(.base) }
            return TreeView(session: self, tree: applied.trees[n], changed: changedAfter[n], label: "after patch \(n + 1)")
        case .before(let n):
            guard n > 0, n - 1 < applied.trees.count else { return view(.base) }
            return TreeView(session: self, tree: applied.trees[n - 1], changed: changedAfter[n - 1],
                            label: "before patch \(n + 1)")
        }
    }

    /// A file by its blob id and path, from the cache or read now.
    func file(blob: String?, object: String, path: String) throws -> SourceFile? {
        if let blob, let cached = cache.get(blob) { return cached }
        guard let (id, bytes) = try reader.read(blob ?? object) else { return nil }
        if let cached = cache.get(id) { return cached }
        let file = SourceFile(path: path, blob: id, bytes: bytes)
        cache.put(id, file)
        return file
    }
}

/// One state of the tree: the base index, minus the files the series changed so far, plus
/// those files as they are now.
struct TreeView: Sendable {
    let session: TreeSession
    let tree: String
    let changed: Set<String>
    /// `after patch 2`, for titles and tool answers.
    let label: String

    var index: SymbolIndex { session.index }

    /// The file at `path`, nil when the tree has none (or it is not a blob).
    func file(_ path: String) throws -> SourceFile? {
        if !changed.contains(path), let id = index.fileID(path: path) {
            return try session.file(blob: index.files[id].blob, object: index.files[id].blob, path: path)
        }
        return try session.file(blob: nil, object: "\(tree):\(path)", path: path)
    }

    /// Every definition named `name`, with its file; only in files `inFile` accepts when
    /// given. With `maxFiles`, nil when more files than that define the name (the caller
    /// then has no single answer to find, and reading them all would cost).
    func definitions(named name: String, inFile accept: ((String) -> Bool)? = nil,
                     maxFiles: Int? = nil) -> [(path: String, definition: CDefinition)]? {
        var defining: [(Int, String)] = []
        for posting in index.postings(for: name) where posting.defines {
            let path = index.files[posting.file].path
            if changed.contains(path) || accept?(path) == false { continue }
            defining.append((posting.file, path))
        }
        if let maxFiles, defining.count > maxFiles { return nil }
        var result: [(String, CDefinition)] = []
        for (id, path) in defining {
            for definition in index.definitions(named: name, in: id) { result.append((path, definition)) }
        }
        for path in changed.sorted() where (path.hasSuffix(".c") || path.hasSuffix(".h")) && accept?(path) != false {
            guard let file = try? file(path) else { continue }
            for definition in file.outline.definitions where definition.name == name { result.append((path, definition)) }
        }
        return result
    }

    /// Every definition named `name`, with its file.
    func definitions(named name: String) -> [(path: String, definition: CDefinition)] {
        definitions(named: name, inFile: nil, maxFiles: nil) ?? []
    }

    /// The files that may mention `name` (index hits are confirmed when the file is read);
    /// `cut` when there were more than `maxReferenceFiles`.
    func referenceFiles(named name: String) -> (paths: [String], cut: Bool) {
        var paths: [String] = []
        for posting in index.postings(for: name) {
            let path = index.files[posting.file].path
            if !changed.contains(path) { paths.append(path) }
        }
        for path in changed.sorted() where path.hasSuffix(".c") || path.hasSuffix(".h") {
            if let file = try? file(path), file.mentions(name) { paths.append(path) }
        }
        let cut = paths.count > KernelTreeLimits.maxReferenceFiles
        return (Array(paths.prefix(KernelTreeLimits.maxReferenceFiles)), cut)
    }
}

/// Files read so far, by blob id, so a function read for the context is not read again by
/// a tool call. Bounded: the oldest go first.
private final class FileCache: @unchecked Sendable {
    /// A review reads the files of a few drivers and the headers they use; 512 files of
    /// kernel size are a few tens of MB.
    private static let capacity = 512
    private let lock = NSLock()
    private var files: [String: SourceFile] = [:]
    private var order: [String] = []

    func get(_ blob: String) -> SourceFile? {
        lock.lock()
        defer { lock.unlock() }
        return files[blob]
    }

    func put(_ blob: String, _ file: SourceFile) {
        lock.lock()
        defer { lock.unlock() }
        guard files[blob] == nil else { return }
        files[blob] = file
        order.append(blob)
        if order.count > Self.capacity {
            files.removeValue(forKey: order.removeFirst())
        }
    }
}
