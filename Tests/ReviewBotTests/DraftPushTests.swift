import Foundation
import LoopbackServers
import ReviewEngine
@testable import ReviewBotKit
import Testing

/// `drafts push` against a real Dovecot, with the ledger in a real state database.
@Suite struct DraftPushTests {
    let password = "push-Pa55-\(UUID().uuidString.prefix(6))"

    func options() -> IMAPOptions {
        IMAPOptions(allowPlaintext: true, tls: TLSOptions(), timeout: 5, search: .raw("ALL"),
                    environment: [IMAPOptions.passwordVariable: password])
    }

    @Test func draftsArePushedOnceAnywhereAndNeverAfterTheyWereSent() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let scratch = try TestDirectories.make("push")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = try TestDirectories.store(in: scratch)
        let ledger = SentLedger(store: store)
        let dir = scratch.appendingPathComponent("out")
        try TestDirectories.writeReview(SendJobTests.drafts, to: dir)
        // The reply in 0003.eml already went out over SMTP.
        let sent = try OutgoingDraft(file: "0003.eml", bytes: Data(SendJobTests.drafts[2].1.utf8))
        _ = try store.claimSend(SentMailRecord(channel: .smtp, destination: "smtp.example.org", messageID: sent.messageID,
                                               patchMessageID: nil, contentHash: sent.contentHash, file: "0003.eml",
                                               directory: dir.path, recipients: sent.recipients, state: .accepted,
                                               startedAt: Date(), acceptedAt: Date()))

        let drafts = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/Drafts")
        let lines = try await DraftPushJob(directory: dir, mailbox: drafts, options: options(), ledger: ledger).run()
        #expect(lines.contains("pushed 0001.eml to \(drafts)"))
        #expect(lines.contains("pushed 0002.eml to \(drafts)"))
        #expect(lines.contains { $0.hasPrefix("not pushed: 0003.eml was already sent on ") })
        let flags = try dovecot.doveadm(["fetch", "-u", "test", "flags", "mailbox", "Drafts", "all"])
        #expect(flags.components(separatedBy: "\\Draft").count - 1 == 2, "\(flags)")

        // A copy of the directory pushed to another mailbox: the ledger knows them.
        let copy = scratch.appendingPathComponent("copy")
        try TestDirectories.writeReview(SendJobTests.drafts, to: copy)
        let other = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/Drafts2")
        let again = try await DraftPushJob(directory: copy, mailbox: other, options: options(), ledger: ledger).run()
        #expect(again.contains { $0.hasPrefix("already pushed 0001.eml on ") && $0.contains("to \(drafts)") })
        #expect(again.contains { $0.hasPrefix("already pushed 0002.eml on ") })
        #expect(!again.contains { $0.hasPrefix("pushed ") })
        let otherFlags = (try? dovecot.doveadm(["fetch", "-u", "test", "flags", "mailbox", "Drafts2", "all"])) ?? ""
        #expect(!otherFlags.contains("\\Draft"), "\(otherFlags)")
    }

    @Test func aDraftWithHeadersThatMightParseDifferentlyIsNotPushed() async throws {
        let scratch = try TestDirectories.make("push-bad")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dir = scratch.appendingPathComponent("out")
        try TestDirectories.writeReview([("0001.eml", "From: a@b.org\nTo: c@d.org\nTo: e@f.org\nMessage-ID: <m@x.org>\n\nbody\n")],
                                        to: dir)
        let mailbox = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:1/Drafts")
        await #expect(throws: ReviewBotError("0001.eml: two To headers; a draft may have only one")) {
            _ = try await DraftPushJob(directory: dir, mailbox: mailbox, options: options(),
                                       ledger: SentLedger(store: try TestDirectories.store(in: scratch))).run()
        }
    }
}
