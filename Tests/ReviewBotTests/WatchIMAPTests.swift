import Foundation
import LoopbackServers
import MailSources
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// `reviewbot watch` on a folder of a real Dovecot, mail delivered while it runs.
@Suite(.serialized) struct WatchIMAPTests {
    let password = "w4tch-Pa55-\(UUID().uuidString.prefix(6))"

    @Test func aSeriesDeliveredOverSecondsIsReviewedOnceAfterItsLastPart() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        _ = try dovecot.doveadm(["mailbox", "create", "-u", "test", "Watched"])
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        // Only IDLE (or the first read) can bring the mail in: the poll is an hour.
        harness.configuration.watch.pollSeconds = 3_600
        let base = "imap://test@127.0.0.1:\(dovecot.imapPort)"
        let source = WatchSourceSpec.imap(try IMAPMailboxURL(parsing: "\(base)/Watched"))
        let env = [IMAPOptions.passwordVariable: password]
        let stop = RunStop()
        let watcher = try harness.watcher([source], push: "\(base)/Drafts", stop: stop, environment: env)
        let running = Task { try await watcher.run() }
        defer { stop.request("test over") }
        try await Task.sleep(for: .seconds(1))

        let parts = SyntheticSeries.series(tag: "imapa")
        for part in parts {
            #expect(harness.lines.all.isEmpty, "nothing is reviewed before the last part")
            try dovecot.deliver(part, to: "test", mailbox: "Watched")
            try await Task.sleep(for: .seconds(1.5))
        }
        #expect(await WatchHarness.wait(seconds: 60) { harness.lines.all.count == 1 }, "\(harness.logLines.all)")
        let drafts = try dovecot.doveadm(["fetch", "-u", "test", "flags", "mailbox", "Drafts", "all"])
        #expect(drafts.components(separatedBy: "\\Draft").count - 1 >= 1, "drafts pushed: \(drafts)")
        #expect(harness.reviewDirectories.count == 1)

        // A reply and a resend (new Message-IDs, the same changes) start no review.
        let calls = harness.fake.exchanges.count
        try dovecot.deliver(SyntheticSeries.reply(to: "imapa", part: 1, id: "imapa-reply@example.org"), to: "test",
                            mailbox: "Watched")
        for part in SyntheticSeries.series(tag: "imapa", prefix: "PATCH RESEND", idTag: "imapa-resend") {
            try dovecot.deliver(part, to: "test", mailbox: "Watched")
        }
        #expect(await WatchHarness.wait(seconds: 20) {
            harness.logLines.all.contains { $0.contains("skipped") && $0.contains("resend") }
        }, "\(harness.logLines.all)")
        try await Task.sleep(for: .seconds(2))
        #expect(harness.lines.all.count == 1)
        #expect(harness.fake.exchanges.count == calls)
        let flags = try dovecot.doveadm(["fetch", "-u", "test", "flags", "mailbox", "Watched", "all"])
        #expect(!flags.contains("\\Seen"), "watching changes no flag: \(flags)")
        stop.request("test over")
        #expect(try await running.value.reviewed == 1)

        // A restart reads only what is new: nothing.
        let again = try await harness.watcher([source], once: true, stop: RunStop(), environment: env).run()
        #expect(again.reviewed == 0 && again.failedReads == 0)
        #expect(harness.fake.exchanges.count == calls)

        // The folder is recreated (a new UIDVALIDITY) holding the old series again and a
        // new one: the old one is known by Message-ID, only the new one is reviewed.
        _ = try dovecot.doveadm(["mailbox", "delete", "-u", "test", "Watched"])
        _ = try dovecot.doveadm(["mailbox", "create", "-u", "test", "Watched"])
        for part in parts + SyntheticSeries.series(tag: "imapb") { try dovecot.deliver(part, to: "test", mailbox: "Watched") }
        let reread = try await harness.watcher([source], once: true, stop: RunStop(), environment: env).run()
        #expect(reread.reviewed == 1)
        #expect(harness.lines.all.count == 2)
        #expect(harness.lines.all.last?.contains("imapb") == true)
        #expect(harness.logLines.all.contains { $0.contains("UIDVALIDITY changed") })
    }
}
