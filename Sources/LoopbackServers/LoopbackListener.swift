import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A lock-protected value (`Synchronization.Mutex` needs a newer macOS than the package targets).
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// One accepted TCP connection.
public final class LoopbackConnection: @unchecked Sendable {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    /// The next bytes from the peer, or nil at end of stream or error.
    public func read() -> Data? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Data(buffer[0..<count])
    }

    /// Writes all of `data`; a peer that went away just ends the write. False when it did.
    @discardableResult
    public func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Data(text.utf8)) }
}

/// A TCP listener on 127.0.0.1 with an ephemeral port; a thread per connection runs
/// `serve`. `stop()` closes the listener and every open connection.
public final class LoopbackListener: Sendable {
    public let port: UInt16
    private let listenFD: Int32
    private let open = Locked<Set<Int32>>([])
    private let stopped = Locked(false)

    public init(serve: @escaping @Sendable (LoopbackConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError("socket() failed: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw LoopbackError("cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listenFD = fd
        port = UInt16(bigEndian: address.sin_port)

        let open = self.open
        let stopped = self.stopped
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let tracked = stopped.withLock { isStopped -> Bool in
                    if isStopped { return false }
                    open.withLock { _ = $0.insert(client) }
                    return true
                }
                guard tracked else { close(client); return }
                Thread.detachNewThread {
                    serve(LoopbackConnection(fd: client))
                    let mine = open.withLock { $0.remove(client) != nil }
                    if mine { close(client) }
                }
            }
        }
    }

    public func stop() {
        let first = stopped.withLock { isStopped -> Bool in
            defer { isStopped = true }
            return !isStopped
        }
        guard first else { return }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in open.withLock({ fds -> Set<Int32> in defer { fds.removeAll() }; return fds }) {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    deinit { stop() }
}

/// A server that accepts connections and never says a word: for "the peer never answers"
/// (HTTP and IMAP alike).
public final class SilentServer: Sendable {
    private let listener: LoopbackListener
    public var port: UInt16 { listener.port }

    public init() throws {
        listener = try LoopbackListener { connection in
            while connection.read() != nil {}
        }
    }

    public func stop() { listener.stop() }
}

/// A loopback server could not start.
public struct LoopbackError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
