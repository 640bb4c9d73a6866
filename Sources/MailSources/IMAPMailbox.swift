import CurlKit
import Foundation
import MboxParser

/// Reading from and writing drafts to an IMAP folder.
public enum IMAPMailbox {
    /// The messages the search finds in `url`'s mailbox, oldest UID first, fetched with
    /// BODY.PEEK[] (nothing is marked \Seen). IMAP sends CRLF; the bytes come back with LF
    /// line endings, as in mbox files.
    public static func fetch(_ url: IMAPMailboxURL, options: IMAPOptions) async throws -> FetchedMail {
        try await onDedicatedThread {
            let session = try IMAPSession(url: url, options: options)
            try session.open(readOnly: true)
            let uids = try session.uidSearch(options.search)
            guard uids.count <= options.maxMessages else {
                throw MailSourceError.usage("\(uids.count) messages match in \(url), more than the limit of \(options.maxMessages): narrow the search (--imap-days or a custom search)")
            }
            let bodies = try session.fetchBodies(uids)
            return FetchedMail(parts: bodies.map {
                .init(kind: .message, bytes: LineEndings.lf($0.bytes), origin: "\(url);UID=\($0.uid)")
            })
        }
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
            let data = try Data(contentsOf: file)
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
