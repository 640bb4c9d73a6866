import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Gives every IMAP operation an overall deadline and a byte budget. libetpan only bounds
/// each single read (`mailimap_set_timeout`), so a server that dribbles a literal one byte
/// a second, or sends a literal without end, would hold the session forever. The watchdog
/// runs its own thread; when the operation in progress passes its deadline, or more bytes
/// arrive than it allows, it shuts the socket down, and libetpan's blocked read returns
/// an error at once.
final class IMAPWatchdog: @unchecked Sendable {
    /// Why the watchdog ended the connection.
    enum Trip: Equatable {
        case deadline(operation: String, seconds: Double)
        case tooLarge(operation: String, limit: Int)
    }

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var socket: Int32 = -1
    private var operation = ""
    private var deadline: Date?
    private var seconds: Double = 0
    private var received = 0
    private var receiveLimit = Int.max
    private var trip: Trip?
    private var closed = false

    init() {
        let thread = Thread { [self] in watch() }
        thread.name = "imap-watchdog"
        thread.start()
    }

    /// The socket to shut down when an operation overruns (set once connected).
    func attach(_ fd: Int32) {
        condition.withLock { socket = fd }
    }

    /// Starts an operation: at most `seconds` from now and `maxBytes` received.
    func begin(_ what: String, seconds: Double, maxBytes: Int = Int.max) {
        condition.withLock {
            operation = what
            self.seconds = seconds
            deadline = Date().addingTimeInterval(min(seconds, IMAPOptions.longestWait))
            received = 0
            receiveLimit = maxBytes
            condition.broadcast()
        }
    }

    /// The operation ended in time.
    func end() {
        condition.withLock {
            deadline = nil
            condition.broadcast()
        }
    }

    /// Counts bytes libetpan read; past the operation's budget the connection is cut.
    func received(_ count: Int) {
        condition.withLock {
            received += count
            if received > receiveLimit && trip == nil {
                trip = .tooLarge(operation: operation, limit: receiveLimit)
                cut()
            }
        }
    }

    /// Why the connection was cut, if it was.
    var tripped: Trip? { condition.withLock { trip } }

    /// Stops the thread; call before the socket is closed, so it is never shut down after
    /// its number could belong to another file.
    func close() {
        condition.withLock {
            closed = true
            socket = -1
            condition.broadcast()
        }
    }

    private func watch() {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            guard let deadline else {
                condition.wait()
                continue
            }
            if Date() >= deadline {
                if trip == nil { trip = .deadline(operation: operation, seconds: seconds) }
                cut()
                self.deadline = nil
            } else {
                _ = condition.wait(until: deadline)
            }
        }
    }

    /// Under the lock: ends both directions, so a blocked read returns at once.
    private func cut() {
        if socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
    }
}
