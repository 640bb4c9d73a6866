import Foundation
import MailSources
import ReviewEngine

/// `drafts push DIR --to imaps://...` and `review --push`: the drafts of DIR's latest
/// review (as its manifest lists them, each read as strictly as `send` reads it) appended
/// to an IMAP mailbox flagged `\Draft`. Nothing goes twice: a draft already pushed there
/// (the ledger, or a message with its Message-ID in the mailbox) or whose reply was already
/// sent over SMTP is skipped, with when that was.
public struct DraftPushJob: Sendable {
    public var directory: URL
    public var mailbox: IMAPMailboxURL
    public var options: IMAPOptions
    public var ledger: SentLedger

    public init(directory: URL, mailbox: IMAPMailboxURL, options: IMAPOptions, ledger: SentLedger) {
        self.directory = directory
        self.mailbox = mailbox
        self.options = options
        self.ledger = ledger
    }

    /// Returns a line per draft for the user.
    public func run() async throws -> [String] {
        try ledger.importLegacyFile(in: directory)
        let (manifest, drafts, strays) = try DraftDirectory(directory).readLatestReview()
        let destination = mailbox.description
        var lines = ["pushing the drafts of \(manifest.review.description) to \(destination)"]
        lines += strays.map { "not pushed: \($0) is not a draft of that review" }
        var toPush: [(OutgoingDraft, IMAPMailbox.DraftToPush)] = []
        for draft in drafts {
            if case .sent(let record) = try ledger.status(of: draft, channel: .smtp) {
                lines.append("not pushed: \(draft.file) was already sent \(record.whenAndWhere)")
                continue
            }
            switch try ledger.status(of: draft, channel: .imap) {
            case .sent(let record), .inProgress(let record):
                lines.append("already pushed \(draft.file) \(record.whenAndWhere): skipped")
                continue
            case .unknown:
                // An APPEND cut off earlier: the mailbox search below finds it if it arrived.
                try ledger.store.releaseClaim(channel: .imap, messageID: draft.messageID)
            case .new:
                break
            }
            let record = SentMailRecord(channel: .imap, destination: destination, messageID: draft.messageID,
                                        patchMessageID: draft.patchMessageID, contentHash: draft.contentHash,
                                        file: draft.file, directory: directory.path, recipients: draft.recipients,
                                        startedAt: Date())
            if let existing = try ledger.store.claimSend(record) {
                lines.append("already pushed \(draft.file) \(existing.whenAndWhere): skipped")
                continue
            }
            toPush.append((draft, .init(name: draft.file, bytes: draft.original, messageID: MessageID.bare(draft.messageID))))
        }
        guard !toPush.isEmpty else { return lines }
        let store = ledger.store
        let failures = DeliveryLock<[String]>([])
        let report: IMAPMailbox.PushReport
        do {
            report = try await IMAPMailbox.push(toPush.map(\.1), to: mailbox, options: options) { stored in
                do {
                    try store.markAccepted(channel: .imap, messageID: "<\(stored.messageID)>")
                } catch {
                    failures.withLock { $0.append("\(stored.name): \(error)") }
                }
            }
        } catch {
            // Whatever the server did not confirm is left for the mailbox search next time.
            for (draft, _) in toPush { try? store.releaseClaim(channel: .imap, messageID: draft.messageID) }
            throw error
        }
        if let failure = failures.withLock({ $0.first }) {
            throw ReviewBotError("pushed, but could not record it in the state database: \(failure)", kind: .unavailable)
        }
        lines += report.appended.map { "pushed \($0) to \(destination)" }
        lines += report.skipped.map { "already in \(mailbox.mailbox): \($0)" }
        return lines
    }
}

extension Configuration {
    /// `--push`: the drafts of `directory` appended to an IMAP mailbox with `\Draft`, once.
    /// Returns what to tell the user.
    public func pushDrafts(directory: URL, to mailbox: String, flags: SourceFlags,
                           environment: [String: String], ledger: SentLedger) async throws -> [String] {
        let url = try IMAPMailboxURL(parsing: mailbox)
        return try await DraftPushJob(directory: directory, mailbox: url,
                                      options: try imapOptions(flags: flags, environment: environment),
                                      ledger: ledger).run()
    }
}
