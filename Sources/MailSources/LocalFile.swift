import Foundation
import MboxParser
#if canImport(Glibc)
import Glibc
#endif

/// Reading mail files from disk without trusting what the directory entry is: a FIFO in a
/// maildir would block `open` forever, a link to `/dev/zero` would never end.
enum LocalFile {
    /// Largest file `fetch` reads into memory. The 501 MB benchmark archive fits; anything
    /// larger is read by the streaming commands (`scan`, `series`, `review`), not copied.
    static let maxFileBytes = 1 << 30
    /// A maildir entry holds one message, so the per-message limit applies to the file.
    static let maxMessageFileBytes = ParserLimits.defaultMaxMessageBytes
    /// Bytes read per `read(2)`.
    static let chunkBytes = 1 << 20

    /// Why a file was not read; the message names the file.
    enum Refusal: Error, CustomStringConvertible {
        case notRegular(path: String, kind: String)
        case tooLarge(path: String, limit: Int)
        case unreadable(path: String, reason: String)

        var description: String {
            switch self {
            case .notRegular(let path, let kind): "skipped \(path): \(kind), not a regular file"
            case .tooLarge(let path, let limit): "skipped \(path): larger than \(limit) bytes"
            case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
            }
        }
    }

    /// The whole of `path`, at most `limit` bytes. A path the user named may be a FIFO or a
    /// socket (`<(curl ...)`); with `regularOnly` (an entry found in a directory) only a
    /// regular file is read. Opened non-blocking, so a FIFO without a writer never hangs
    /// the open; what the descriptor really is decides, not an earlier `stat`.
    static func read(_ path: String, limit: Int, regularOnly: Bool) throws(Refusal) -> Data {
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        let type = info.st_mode & S_IFMT
        if type != S_IFREG {
            let stream = type == S_IFIFO || type == S_IFSOCK
            if regularOnly || !stream { throw .notRegular(path: path, kind: kindName(type)) }
            // A FIFO the user named: opened again, blocking, which waits for its writer
            // (a non-blocking open without one would read as empty at once).
            let blocking = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
            guard blocking >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            close(fd)
            fd = blocking
        } else if Int(info.st_size) > limit {
            throw .tooLarge(path: path, limit: limit)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return try readAll(fd, limit: limit, name: path)
    }

    /// Everything `fd` yields until end of file, refusing more than `limit` bytes.
    static func readAll(_ fd: Int32, limit: Int, name: String) throws(Refusal) -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: name, reason: String(cString: strerror(errno)))
            }
            guard data.count + n <= limit else { throw .tooLarge(path: name, limit: limit) }
            data.append(contentsOf: chunk[0..<n])
        }
    }

    static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a directory"
        default: "not a file"
        }
    }
}
