import Foundation

/// The symbol index of one tree (a base tree of a review): which files mention each
/// identifier, which of them define it, and every file's definitions. Built once per tree
/// and kept in the cache; read in place (mapped), so looking a name up costs a binary
/// search and reading a few lines.
public final class SymbolIndex: Sendable {
    public struct File: Sendable, Hashable {
        public let blob: String
        public let size: Int
        public let path: String
    }

    /// One file that mentions a name.
    public struct Posting: Sendable, Hashable {
        public let file: Int
        /// The file defines something by that name.
        public let defines: Bool
    }

    public let treeID: String
    public let files: [File]
    private let pathIDs: [String: Int]
    private let postings: MappedFile
    private let outlines: [MappedFile]
    private let outlineIndex: MappedFile

    init(treeID: String, files: [File], postings: MappedFile, outlines: [MappedFile], outlineIndex: MappedFile) {
        self.treeID = treeID
        self.files = files
        var ids: [String: Int] = [:]
        ids.reserveCapacity(files.count)
        for (id, file) in files.enumerated() { ids[file.path] = id }
        pathIDs = ids
        self.postings = postings
        self.outlines = outlines
        self.outlineIndex = outlineIndex
    }

    public func fileID(path: String) -> Int? { pathIDs[path] }

    /// Whether the file's definitions and identifiers are in the index (it is not too large).
    public func isIndexed(_ file: Int) -> Bool { files[file].size <= KernelTreeLimits.maxIndexedFileBytes }

    /// The files that mention `name` (and possibly, by hash collision, a few that do not).
    public func postings(for name: String) -> [Posting] {
        let hash = UInt64(IdentifierHash.of(name))
        let words = postings.words
        var low = 0
        var high = words.count
        let key = hash << 32
        while low < high {
            let mid = (low + high) / 2
            if words[mid] < key { low = mid + 1 } else { high = mid }
        }
        var result: [Posting] = []
        var i = low
        while i < words.count, words[i] >> 32 == hash {
            let word = words[i]
            result.append(Posting(file: Int((word & 0xFFFF_FFFF) >> 1), defines: word & 1 == 1))
            i += 1
        }
        return result
    }

    /// The definitions of file `id`, in file order.
    public func outline(of id: Int) -> [CDefinition] {
        guard let bytes = outlineBytes(of: id) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap(CDefinition.init(indexLine:))
    }

    /// The definitions named `name` in file `id`: only the lines holding `TAB name TAB` are
    /// parsed, so a file with thousands of definitions costs one byte search.
    public func definitions(named name: String, in id: Int) -> [CDefinition] {
        guard let bytes = outlineBytes(of: id) else { return [] }
        let needle = Array(("\t" + name + "\t").utf8)
        var result: [CDefinition] = []
        var from = 0
        while let hit = Self.find(needle, in: bytes, from: from) {
            let lineStart = bytes[..<hit].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let lineEnd = bytes[hit...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self)
            if let definition = CDefinition(indexLine: Substring(line)), definition.name == name { result.append(definition) }
            from = lineEnd
        }
        return result
    }

    private func outlineBytes(of id: Int) -> UnsafeRawBufferPointer? {
        let words = outlineIndex.words
        guard id >= 0, id * 2 + 1 < words.count else { return nil }
        let location = words[id * 2]
        let length = Int(words[id * 2 + 1])
        let worker = Int(location >> 56)
        let offset = Int(location & 0x00FF_FFFF_FFFF_FFFF)
        guard length > 0, worker < outlines.count, offset + length <= outlines[worker].bytes.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: outlines[worker].bytes[offset..<(offset + length)])
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let first = needle.first, bytes.count - from >= needle.count else { return nil }
        var i = from
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first {
                var k = 1
                while k < needle.count, bytes[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Loads the index in `directory`; nil when there is none or it is incomplete.
    static func load(directory: String, treeID: String) throws -> SymbolIndex? {
        let meta = directory + "/meta"
        guard let metaText = try? String(contentsOfFile: meta, encoding: .utf8),
              metaText.hasPrefix("reviewbot-symbol-index \(SymbolIndexFormat.version) \(treeID)") else { return nil }
        let header = metaText.prefix { $0 != "\n" }.split(separator: " ")
        guard header.count == 4, let workerCount = Int(header[3]), workerCount > 0 else { return nil }
        let table: String
        do {
            table = try String(contentsOfFile: directory + "/files.tsv", encoding: .utf8)
        } catch {
            return nil
        }
        var files: [File] = []
        for line in table.utf8.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let size = Int(Substring(fields[1])) else { return nil }
            files.append(File(blob: String(Substring(fields[0])), size: size, path: String(Substring(fields[2]))))
        }
        let outlines = try (0..<workerCount).map { try MappedFile(path: directory + "/outlines-\($0).txt") }
        return SymbolIndex(treeID: treeID, files: files, postings: try MappedFile(path: directory + "/postings.bin"),
                           outlines: outlines, outlineIndex: try MappedFile(path: directory + "/outlines.idx"))
    }
}
