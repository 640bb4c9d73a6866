import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only file mapped into memory: the index is read in place, so a lookup touches a
/// few pages and the index's size does not count against the process's memory.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw KernelTreeError(.cache, "cannot open index file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw KernelTreeError(.cache, "cannot read index file \(path): \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw KernelTreeError(.cache, "cannot map index file \(path): \(String(cString: strerror(errno)))")
        }
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }

    /// The file as 64-bit words (the file's length must be a multiple of 8).
    var words: UnsafeBufferPointer<UInt64> {
        guard let start = bytes.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt64.self), count: bytes.count / 8)
    }
}

/// Writes arrays and text to files in the index directory without extra copies.
enum IndexFileWriter {
    static func write<T>(_ values: [T], to path: String) throws {
        guard let file = fopen(path, "wb") else {
            throw KernelTreeError(.cache, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        let written = values.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == values.count * MemoryLayout<T>.stride else {
            throw KernelTreeError(.cache, "cannot write \(path): disk full?")
        }
    }

    /// Writes the merge of sorted runs as one sorted file; returns how many words it wrote.
    static func merge(_ runs: [[UInt64]], to path: String) throws -> Int {
        guard let file = fopen(path, "wb") else {
            throw KernelTreeError(.cache, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var positions = [Int](repeating: 0, count: runs.count)
        var buffer: [UInt64] = []
        buffer.reserveCapacity(1 << 16)
        var written = 0
        func flush() throws {
            let count = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            guard count == buffer.count * 8 else { throw KernelTreeError(.cache, "cannot write \(path): disk full?") }
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        while true {
            var best = -1
            for (run, position) in positions.enumerated() where position < runs[run].count {
                if best < 0 || runs[run][position] < runs[best][positions[best]] { best = run }
            }
            guard best >= 0 else { break }
            buffer.append(runs[best][positions[best]])
            positions[best] += 1
            if buffer.count == 1 << 16 { try flush() }
        }
        try flush()
        return written
    }
}
