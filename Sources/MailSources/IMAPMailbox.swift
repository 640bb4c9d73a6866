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
        let drafts = try files.map { file -> (String, Data, String) in
            let data = try Data(contentsOf: file)
            let mail = try? MailMessage(raw: [UInt8](data), location: MessageLocation(file: file.path, number: 1))
            guard let id = mail?.messageID, !id.isEmpty else {
                throw MailSourceError.usage("\(file.path): no Message-ID header, so pushing it twice would duplicate it")
            }
            return (file.lastPathComponent, data, id)
        }
        return try await onDedicatedThread {
            let session = try IMAPSession(url: url, options: options)
            try session.open(readOnly: false)
            var report = PushReport()
            for (name, data, id) in drafts {
                if try !session.uidSearch(messageID: id).isEmpty {
                    report.skipped.append(name)
                } else {
                    try session.append(data, draft: true)
                    report.appended.append(name)
                }
            }
            return report
        }
    }
}
