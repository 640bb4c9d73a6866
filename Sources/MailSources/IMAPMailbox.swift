import CurlKit
import Foundation
import MboxParser

/// Reading from and writing drafts to an IMAP folder.
public enum IMAPMailbox {
    /// The messages the search finds in `url`'s mailbox, oldest UID first, fetched with
    /// BODY.PEEK[] (nothing is marked \Seen). IMAP sends CRLF; the bytes come back with LF
    /// line endings, as in mbox files.
    public static func fetch(_ url: IMAPMailboxURL, options: IMAPOptions) async throws -> FetchedMail {
        try await onDedicatedThread { try fetchBlocking(url, options: options) }
    }

    /// `fetch` on the calling thread, which it blocks (libetpan is blocking).
    static func fetchBlocking(_ url: IMAPMailboxURL, options: IMAPOptions) throws -> FetchedMail {
        let session = try IMAPSession(url: url, options: options)
        try session.open(readOnly: true)
        let uids = try session.uidSearch(options.search)
        guard uids.count <= options.maxMessages else {
            throw MailSourceError.usage("\(uids.count) messages match in \(url), more than the limit of \(options.maxMessages): narrow the search (--imap-days or a custom search)")
        }
        // Sizes first: an oversized message is named and skipped, never downloaded, and
        // each body fetch may receive only what the server announced for it.
        let sizes = try session.sizes(uids)
        var notes: [String] = []
        var wanted: [(uid: UInt32, size: Int)] = []
        for uid in uids {
            // A server that gives no size gets the largest budget a message may have.
            let size = sizes[uid] ?? IMAPOptions.maxMessageBytes
            if size > IMAPOptions.maxMessageBytes {
                notes.append("skipped \(url);UID=\(uid): \(size) bytes, over the \(IMAPOptions.maxMessageBytes)-byte message limit")
            } else {
                wanted.append((uid, size))
            }
        }
        let total = wanted.reduce(0) { $0 + $1.size }
        guard total <= IMAPOptions.maxFetchBytes else {
            throw MailSourceError.usage("the \(wanted.count) messages matching in \(url) hold \(total) bytes, more than the limit of \(IMAPOptions.maxFetchBytes): narrow the search (--imap-days or a custom search)")
        }
        var parts: [FetchedMail.Part] = []
        for batch in batches(wanted) {
            let announced = batch.reduce(0) { $0 + $1.size } + batch.count * IMAPOptions.framingBytesPerMessage
            for body in try session.fetchBodies(batch.map(\.uid), maxBytes: announced) {
                parts.append(.init(kind: .message, bytes: LineEndings.lf(body.bytes), origin: "\(url);UID=\(body.uid)"))
            }
        }
        return FetchedMail(parts: parts, notes: notes)
    }

    /// Consecutive runs of at most `fetchBatch` messages and `fetchBatchBytes` announced.
    static func batches(_ messages: [(uid: UInt32, size: Int)]) -> [[(uid: UInt32, size: Int)]] {
        var batches: [[(uid: UInt32, size: Int)]] = []
        var current: [(uid: UInt32, size: Int)] = []
        var bytes = 0
        for message in messages {
            if !current.isEmpty && (current.count >= IMAPOptions.fetchBatch || bytes + message.size > IMAPOptions.fetchBatchBytes) {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(message)
            bytes += message.size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// What `push` did with each file.
    public struct PushReport: Sendable {
        public var appended: [String] = []
        /// Already in the mailbox (same Message-ID): not appended again.
        public var skipped: [String] = []
    }

    /// One message for `push`: a file name for reports, the bytes, and the Message-ID
    /// (without brackets) the mailbox is searched for first.
    public struct DraftToPush: Sendable {
        public var name: String
        public var bytes: Data
        public var messageID: String

        public init(name: String, bytes: Data, messageID: String) {
            self.name = name
            self.bytes = bytes
            self.messageID = messageID
        }
    }

    /// APPENDs every `.eml` in `directory` (sorted by name) to `url`'s mailbox flagged
    /// `\Draft`, unless a message with the same Message-ID is already there.
    public static func pushDrafts(from directory: URL, to url: IMAPMailboxURL, options: IMAPOptions) async throws -> PushReport {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "eml" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw MailSourceError.usage("cannot read drafts directory \(directory.path): \(error.localizedDescription)")
        }
        guard !files.isEmpty else { throw MailSourceError.usage("no .eml files in \(directory.path)") }
        let drafts = try files.map { file -> DraftToPush in
            let data: Data
            do { data = try LocalFile.read(file.path, limit: LocalFile.maxMessageFileBytes, regularOnly: true) } catch {
                throw MailSourceError.usage("\(error)")
            }
            let mail = try? MailMessage(raw: [UInt8](data), location: MessageLocation(file: file.path, number: 1))
            guard let id = mail?.messageID, !id.isEmpty else {
                throw MailSourceError.usage("\(file.path): no Message-ID header, so pushing it twice would duplicate it")
            }
            return DraftToPush(name: file.lastPathComponent, bytes: data, messageID: id)
        }
        return try await push(drafts, to: url, options: options)
    }

    /// APPENDs `drafts` in order to `url`'s mailbox flagged `\Draft`, each unless a message
    /// with its Message-ID is already there. `stored` hears of each one the server took
    /// (APPEND answered OK, or found already there) at once, on the session's thread, so a
    /// ledger can record it before the next one goes.
    public static func push(_ drafts: [DraftToPush], to url: IMAPMailboxURL, options: IMAPOptions,
                            stored: @escaping @Sendable (DraftToPush) -> Void = { _ in }) async throws -> PushReport {
        try await onDedicatedThread {
            let session = try IMAPSession(url: url, options: options)
            try session.open(readOnly: false)
            var report = PushReport()
            for draft in drafts {
                if try !session.uidSearch(messageID: draft.messageID).isEmpty {
                    report.skipped.append(draft.name)
                } else {
                    try session.append(draft.bytes, draft: true)
                    report.appended.append(draft.name)
                }
                stored(draft)
            }
            return report
        }
    }
}
