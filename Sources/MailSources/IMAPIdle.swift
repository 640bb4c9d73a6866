import CEtpan
import CurlKit
import Foundation
import MboxParser

/// Watching an IMAP folder: read what came after the last UID seen, and wait for more
/// with IDLE (RFC 2177). Always EXAMINE and BODY.PEEK[]: watching never changes a flag.
public enum IMAPFolderWatch {
    /// What one read found.
    public struct Read: Sendable {
        public var uidValidity: UInt32
        /// Oldest first, LF line endings.
        public var messages: [(uid: UInt32, bytes: Data)]
        /// The highest UID looked at (messages skipped for size count too).
        public var lastUID: UInt32?
        /// More new messages wait than one read takes; read again at once.
        public var more: Bool
        public var notes: [String]
    }

    /// Messages one read fetches at most; the next read goes on where this one stopped.
    public static let maxMessagesPerRead = 500

    /// Reads the messages after `lastUID` when the folder's UIDVALIDITY is still
    /// `uidValidity`; otherwise (first read, or the folder was recreated) the messages the
    /// configured search finds, to be deduplicated by Message-ID by the caller.
    public static func readNew(_ url: IMAPMailboxURL, options: IMAPOptions, uidValidity: UInt32?,
                               after lastUID: UInt32?) async throws -> Read {
        try await onDedicatedThread { try readNewBlocking(url, options: options, uidValidity: uidValidity, after: lastUID) }
    }

    static func readNewBlocking(_ url: IMAPMailboxURL, options: IMAPOptions, uidValidity: UInt32?,
                                after lastUID: UInt32?) throws -> Read {
        let session = try IMAPSession(url: url, options: options)
        try session.open(readOnly: true)
        let current = session.uidValidity
        var uids: [UInt32]
        if let uidValidity, let lastUID, uidValidity == current {
            // `last+1:*` always holds the highest UID, even when it is not above `last`.
            let set = mailimap_set_new_interval(lastUID &+ 1, 0)!
            uids = try session.uidSearch(key: mailimap_search_key_new_uid(set)).filter { $0 > lastUID }
        } else {
            uids = try session.uidSearch(options.search)
        }
        uids.sort()
        let more = uids.count > maxMessagesPerRead
        uids = Array(uids.prefix(maxMessagesPerRead))
        let sizes = try uids.isEmpty ? [:] : session.sizes(uids)
        var notes: [String] = []
        var wanted: [(uid: UInt32, size: Int)] = []
        for uid in uids {
            let size = sizes[uid] ?? IMAPOptions.maxMessageBytes
            if size > IMAPOptions.maxMessageBytes {
                notes.append("skipped \(url);UID=\(uid): \(size) bytes, over the \(IMAPOptions.maxMessageBytes)-byte message limit")
            } else {
                wanted.append((uid, size))
            }
        }
        var messages: [(uid: UInt32, bytes: Data)] = []
        for batch in IMAPMailbox.batches(wanted) {
            let announced = batch.reduce(0) { $0 + $1.size } + batch.count * IMAPOptions.framingBytesPerMessage
            for body in try session.fetchBodies(batch.map(\.uid), maxBytes: announced) {
                messages.append((body.uid, LineEndings.lf(body.bytes)))
            }
        }
        // A search (first read, new UIDVALIDITY) covered everything below UIDNEXT.
        let searched = uidValidity != current || lastUID == nil
        let floor = searched && !more ? session.uidNext.map { $0 - 1 } : (uidValidity == current ? lastUID : nil)
        let highest = [uids.last, floor].compactMap { $0 }.max()
        return Read(uidValidity: current, messages: messages, lastUID: highest, more: more, notes: notes)
    }

    /// How a wait for new mail ended.
    public enum Wait: Sendable, Equatable {
        /// The server said something while idling (new mail, most likely): read now.
        case changed
        /// Nothing within the time given.
        case quiet
        /// The server has no IDLE: poll instead.
        case unsupported
    }

    /// RFC 2177: a client re-issues IDLE at least every 29 minutes, as servers may drop an
    /// idle connection after 30.
    public static let idleRenewal: TimeInterval = 29 * 60
    /// How often a wait looks whether it was asked to stop.
    static let stopCheck: Int32 = 250

    /// Waits in IDLE until the server reports a change, `seconds` pass (at most
    /// `idleRenewal`), or `stopped()` says so.
    /// Mail that arrived between the last read and the IDLE (UIDNEXT past `afterUID + 1`, or
    /// a new UIDVALIDITY) counts as a change at once.
    public static func waitForChange(_ url: IMAPMailboxURL, options: IMAPOptions, seconds: TimeInterval,
                                     uidValidity: UInt32?, afterUID: UInt32?,
                                     stopped: @escaping @Sendable () -> Bool) async throws -> Wait {
        try await onDedicatedThread {
            try waitBlocking(url, options: options, seconds: seconds, uidValidity: uidValidity, afterUID: afterUID,
                             stopped: stopped)
        }
    }

    static func waitBlocking(_ url: IMAPMailboxURL, options: IMAPOptions, seconds: TimeInterval, uidValidity: UInt32?,
                             afterUID: UInt32?, stopped: @Sendable () -> Bool) throws -> Wait {
        let session = try IMAPSession(url: url, options: options)
        try session.open(readOnly: true)
        guard mailimap_has_idle(session.session) != 0 else { return .unsupported }
        if let uidValidity, session.uidValidity != uidValidity { return .changed }
        if let afterUID, let next = session.uidNext, next > afterUID &+ 1 { return .changed }
        let start = try session.step("IDLE") { mailimap_idle(session.session) }
        guard start == MAILIMAP_NO_ERROR else { throw session.commandError(start, "IDLE failed in \(session.mailbox)") }
        let deadline = Date().addingTimeInterval(min(max(seconds, 0), idleRenewal))
        var pollFD = pollfd(fd: mailimap_idle_get_fd(session.session), events: Int16(POLLIN), revents: 0)
        var changed = false
        while !stopped(), Date() < deadline {
            let left = Int32(min(Double(stopCheck), max(1, deadline.timeIntervalSinceNow * 1000)))
            let ready = poll(&pollFD, 1, left)
            if ready > 0 {
                changed = true
                break
            }
            if ready < 0, errno != EINTR { break }
        }
        let done = try session.step("DONE") { mailimap_idle_done(session.session) }
        guard done == MAILIMAP_NO_ERROR else { throw session.commandError(done, "ending IDLE failed in \(session.mailbox)") }
        return changed ? .changed : .quiet
    }
}

extension IMAPSession {
    /// The open mailbox's UIDVALIDITY (0 when the server sent none).
    var uidValidity: UInt32 {
        session.pointee.imap_selection_info?.pointee.sel_uidvalidity ?? 0
    }

    /// The UID the next message will get, when the server said (0 means it did not).
    var uidNext: UInt32? {
        (session.pointee.imap_selection_info?.pointee.sel_uidnext).flatMap { $0 == 0 ? nil : $0 }
    }
}
