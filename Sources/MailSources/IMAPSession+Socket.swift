import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension IMAPSession {
    /// A TCP connection to `host:port` within `seconds`, trying each address in turn. Made
    /// here rather than by libetpan so the session owns the descriptor the watchdog cuts.
    static func connectSocket(host: String, port: UInt16, seconds: Double) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let list else {
            throw MailSourceError("could not resolve host \(host)")
        }
        defer { freeaddrinfo(list) }
        let deadline = Date().addingTimeInterval(seconds)
        var refused = false
        var timedOut = false
        var address: UnsafeMutablePointer<addrinfo>? = list
        while let current = address {
            address = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                            current.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let left = max(0, deadline.timeIntervalSinceNow)
                let ready = poll(&poller, 1, Int32(min(left * 1000, Double(Int32.max)).rounded(.up)))
                if ready == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    timedOut = true
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                return fd
            }
            if errno == ECONNREFUSED { refused = true }
            close(fd)
        }
        if timedOut && !refused { throw MailSourceError("timed out after \(formatSeconds(seconds)) connecting to \(host):\(port)") }
        if refused { throw MailSourceError("connection refused by \(host):\(port)") }
        throw MailSourceError("could not connect to \(host):\(port)")
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
