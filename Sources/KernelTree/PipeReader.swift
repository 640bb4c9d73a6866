import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Buffered reads and writes on a child's non-blocking pipe, each bounded by a deadline.
struct PipeReader {
    let fd: Int32
    /// Named in errors.
    let what: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(fd: Int32, what: String) {
        self.fd = fd
        self.what = what
    }

    static func wait(_ fd: Int32, _ events: Int32, deadline: Double, what: String) throws {
        var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
        while true {
            let remaining = deadline - ChildProcess.monotonicNow()
            guard remaining > 0 else {
                throw KernelTreeError(.gitFailed, "\(what) did not answer in time and was stopped")
            }
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, 60_000)) + 1)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw KernelTreeError(.gitFailed, "\(what): poll failed")
            }
        }
    }

    static func writeAll(_ bytes: [UInt8], to fd: Int32, deadline: Double, what: String) throws {
        var offset = 0
        while offset < bytes.count {
            try wait(fd, Int32(POLLOUT), deadline: deadline, what: what)
            let count = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw KernelTreeError(.gitFailed, "\(what) stopped reading its input")
            }
            offset += count
        }
    }

    private mutating func fill(deadline: Double) throws {
        try Self.wait(fd, Int32(POLLIN), deadline: deadline, what: what)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard count > 0 else {
            throw KernelTreeError(.gitFailed, "\(what) ended unexpectedly")
        }
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            buffer.removeSubrange(..<start)
            start = 0
        }
        buffer.append(contentsOf: chunk[0..<count])
    }

    mutating func readLine(deadline: Double, maximum: Int = 4096) throws -> String {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                return line
            }
            guard buffer.count - start < maximum else {
                throw KernelTreeError(.gitFailed, "\(what) sent an overlong line")
            }
            try fill(deadline: deadline)
        }
    }

    /// Calls `body` with the next `count` bytes, valid only during the call.
    mutating func withBytes<T>(_ count: Int, deadline: Double, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        if buffer.capacity < start + count { buffer.reserveCapacity(buffer.count + count) }
        while buffer.count - start < count { try fill(deadline: deadline) }
        let from = start
        start += count
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[from..<(from + count)])) }
    }
}
