import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SymbolIndex {
    /// The index of `treeID`, from the cache when it is there, built otherwise (one pass over
    /// the tree's C files: each read once through `git cat-file --batch`, tokenized once).
    static func open(repository: GitRepository, treeID: String, cacheDirectory: String) throws
        -> (index: SymbolIndex, built: Bool)
    {
        let directory = cacheDirectory + "/" + SymbolIndexFormat.directoryName
        if let index = try SymbolIndex.load(directory: directory, treeID: treeID) { return (index, false) }
        let partial = directory + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try GitRepository.makeDirectory(partial)
        defer { try? FileManager.default.removeItem(atPath: partial) }
        try build(repository: repository, treeID: treeID, into: partial)
        try? FileManager.default.removeItem(atPath: directory)
        if rename(partial, directory) != 0, SymbolIndex.load(directoryIfPresent: directory, treeID: treeID) == nil {
            throw KernelTreeError(.cache, "cannot move the symbol index into \(directory): "
                + String(cString: strerror(errno)))
        }
        guard let index = try SymbolIndex.load(directory: directory, treeID: treeID) else {
            throw KernelTreeError(.cache, "the symbol index in \(directory) cannot be read back; remove the directory")
        }
        return (index, true)
    }

    private static func load(directoryIfPresent directory: String, treeID: String) -> SymbolIndex? {
        (try? load(directory: directory, treeID: treeID)) ?? nil
    }

    /// The C files of a tree as `git ls-tree -r -l` lists them.
    static func listFiles(repository: GitRepository, treeID: String) throws -> [File] {
        let output = try repository.run(["ls-tree", "-r", "-l", "-z", "--full-tree", treeID])
        try repository.check(output, ["ls-tree"])
        var files: [File] = []
        for entry in output.stdout.split(separator: 0) {
            // `<mode> <type> <object> <size>\t<path>`
            guard let tab = entry.firstIndex(of: UInt8(ascii: "\t")) else { continue }
            let path = String(decoding: entry[(tab + 1)...], as: UTF8.self)
            guard path.hasSuffix(".c") || path.hasSuffix(".h") else { continue }
            let fields = entry[..<tab].split(separator: UInt8(ascii: " "))
            guard fields.count == 4, fields[1].elementsEqual("blob".utf8),
                  let size = Int(String(decoding: fields[3], as: UTF8.self)) else { continue }
            files.append(File(blob: String(decoding: fields[2], as: UTF8.self), size: size, path: path))
        }
        return files
    }

    private static func build(repository: GitRepository, treeID: String, into directory: String) throws {
        let files = try listFiles(repository: repository, treeID: treeID)
        // Two workers per core at most: each is a git process inflating blobs and a thread
        // scanning them, and the machine is shared.
        let workerCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        var assignments = [[Int]](repeating: [], count: workerCount)
        for (id, file) in files.enumerated() where file.size <= KernelTreeLimits.maxIndexedFileBytes {
            assignments[id % workerCount].append(id)
        }
        let workers = assignments.enumerated().map { number, ids in
            IndexWorker(number: number, ids: ids, files: files, repository: repository,
                        outlinePath: directory + "/outlines-\(number).txt")
        }
        let group = DispatchGroup()
        for worker in workers {
            group.enter()
            let thread = Thread {
                worker.run()
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
        if let failed = workers.first(where: { $0.error != nil }), let error = failed.error { throw error }

        var locations = [UInt64](repeating: 0, count: files.count * 2)
        for worker in workers {
            for location in worker.locations {
                locations[location.id * 2] = UInt64(worker.number) << 56 | UInt64(location.offset)
                locations[location.id * 2 + 1] = UInt64(location.length)
            }
        }
        let postingCount = try IndexFileWriter.merge(workers.map(\.postings), to: directory + "/postings.bin")
        for worker in workers { worker.postings = [] }
        try IndexFileWriter.write(locations, to: directory + "/outlines.idx")
        let table = files.map { "\($0.blob)\t\($0.size)\t\($0.path)\n" }.joined()
        try IndexFileWriter.write(Array(table.utf8), to: directory + "/files.tsv")
        let meta = "reviewbot-symbol-index \(SymbolIndexFormat.version) \(treeID) \(workerCount)\n"
            + "files \(files.count)\npostings \(postingCount)\n"
        try IndexFileWriter.write(Array(meta.utf8), to: directory + "/meta")
    }
}

/// One thread of the index build: its own `git cat-file --batch`, fed the blob ids of its
/// files by a writer thread, and the scan of each file as it arrives.
private final class IndexWorker: @unchecked Sendable {
    let number: Int
    let ids: [Int]
    let files: [SymbolIndex.File]
    let repository: GitRepository
    let outlinePath: String
    var postings: [UInt64] = []
    var locations: [(id: Int, offset: Int, length: Int)] = []
    var error: (any Error)?

    init(number: Int, ids: [Int], files: [SymbolIndex.File], repository: GitRepository, outlinePath: String) {
        self.number = number
        self.ids = ids
        self.files = files
        self.repository = repository
        self.outlinePath = outlinePath
    }

    func run() {
        do {
            try scanAll()
        } catch {
            self.error = error
        }
    }

    private func scanAll() throws {
        guard let out = fopen(outlinePath, "wb") else {
            throw KernelTreeError(.cache, "cannot write \(outlinePath): \(String(cString: strerror(errno)))")
        }
        defer { fclose(out) }
        let child = try ChildProcess.spawn(["git", "-C", repository.scratchDirectory] + GitRepository.overrides
                                           + ["cat-file", "--batch"], environment: repository.environment(indexFile: nil))
        let what = "git cat-file in \(repository.path)"
        let requests = ids.map { files[$0].blob + "\n" }.joined()
        let writer = WriterBox()
        let writing = DispatchSemaphore(value: 0)
        let input = child.input
        Thread {
            do {
                let bytes = Array(requests.utf8)
                var offset = 0
                while offset < bytes.count {
                    let end = min(offset + (1 << 16), bytes.count)
                    try PipeReader.writeAll(Array(bytes[offset..<end]), to: input,
                                            deadline: ChildProcess.monotonicNow() + KernelTreeLimits.gitTimeoutSeconds,
                                            what: what)
                    offset = end
                }
            } catch {
                writer.error = error
            }
            close(input)
            writing.signal()
        }.start()
        defer {
            writing.wait()
            close(child.output)
            close(child.errors)
            kill(child.pid, SIGKILL)
            _ = ChildProcess.reap(child.pid)
        }

        var reader = PipeReader(fd: child.output, what: what)
        var tokens: [CToken] = []
        var seen = IdentifierSet()
        var defined = IdentifierSet()
        var text: [UInt8] = []
        var offset = 0
        let keywords = IdentifierHash.keywords
        for id in ids {
            let deadline = ChildProcess.monotonicNow() + KernelTreeLimits.gitTimeoutSeconds
            let header = try reader.readLine(deadline: deadline)
            let fields = header.split(separator: " ")
            guard fields.count == 3, let size = Int(fields[2]) else {
                throw KernelTreeError(.gitFailed, "\(what): \(files[id].path) (\(header)) cannot be read")
            }
            text.removeAll(keepingCapacity: true)
            try reader.withBytes(size + 1, deadline: deadline) { body in
                let bytes = UnsafeBufferPointer(rebasing: body.dropLast())
                let lines = CLexer.tokenize(bytes, into: &tokens)
                let outline = COutline.scan(bytes: bytes, tokens: tokens, lineCount: lines)
                seen.removeAll()
                defined.removeAll()
                for definition in outline.definitions {
                    defined.insert(IdentifierHash.of(definition.name))
                    definition.appendIndexLine(to: &text)
                }
                // Names a file defines without spelling them (SYSCALL_DEFINE) count too.
                for hash in defined.members where seen.insert(hash) {
                    postings.append(UInt64(hash) << 32 | UInt64(id) << 1 | 1)
                }
                for token in tokens where token.kind == .identifier {
                    let hash = IdentifierHash.of(bytes, from: Int(token.start), to: token.end)
                    if seen.insert(hash), !keywords.contains(hash) {
                        postings.append(UInt64(hash) << 32 | UInt64(id) << 1)
                    }
                }
            }
            if !text.isEmpty, fwrite(text, 1, text.count, out) != text.count {
                throw KernelTreeError(.cache, "cannot write \(outlinePath): disk full?")
            }
            locations.append((id, offset, text.count))
            offset += text.count
        }
        // Sorted here, on this worker's thread; the builder merges the workers' runs.
        postings.sort()
        if let error = writer.error { throw error }
    }
}

private final class WriterBox: @unchecked Sendable {
    var error: (any Error)?
}

/// A set of identifier hashes for one file at a time: open addressing, with a generation
/// stamp per slot so clearing it for the next file costs nothing.
struct IdentifierSet {
    private var slots = [UInt32](repeating: 0, count: 1 << 12)
    private var stamps = [UInt32](repeating: 0, count: 1 << 12)
    private var generation: UInt32 = 1
    private(set) var members: [UInt32] = []

    /// Inserts `hash`; true when it was not there.
    @discardableResult
    mutating func insert(_ hash: UInt32) -> Bool {
        if members.count * 2 >= slots.count { grow() }
        let mask = slots.count - 1
        var i = Int(hash &* 2_654_435_761) & mask
        while stamps[i] == generation {
            if slots[i] == hash { return false }
            i = (i + 1) & mask
        }
        stamps[i] = generation
        slots[i] = hash
        members.append(hash)
        return true
    }

    mutating func removeAll() {
        members.removeAll(keepingCapacity: true)
        generation &+= 1
        if generation == 0 {
            stamps = [UInt32](repeating: 0, count: stamps.count)
            generation = 1
        }
    }

    private mutating func grow() {
        let old = members
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        stamps = [UInt32](repeating: 0, count: slots.count)
        generation = 1
        members.removeAll(keepingCapacity: true)
        for hash in old { _ = insert(hash) }
    }
}
