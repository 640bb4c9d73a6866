import CurlKit
import Foundation
import LoopbackServers
import ReviewEngine
@testable import ReviewBotKit
import Testing

/// `reviewbot send` against the loopback SMTP server, through libcurl, with the ledger in
/// a real state database.
@Suite struct SendJobTests {
    let password = "send-Pa55-\(UUID().uuidString.prefix(8))"
    static let sendDate = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC

    /// Three drafts as `reviewbot review` writes them; the second has a folded Cc and a Bcc.
    static let drafts: [(String, String)] = [
        ("0001.eml", """
            From: Rev Iewer <rev@example.org>
            To: Sam Protsenko <semen.protsenko@linaro.org>
            Cc: linux-watchdog@vger.kernel.org
            Subject: Re: [PATCH 1/7] watchdog: s3c2410: Fix max timeout
            Message-ID: <reply-0001@example.org>
            In-Reply-To: <20211107202530.20147-2-semen.protsenko@linaro.org>

            This review was drafted with an AI assistant and checked by the sender.

            > +	wdt->max_timeout = 128;

            Can this overflow the counter when the prescaler is at its maximum?

            """),
        ("0002.eml", """
            From: Rev Iewer <rev@example.org>
            To: "Protsenko, Sam" <semen.protsenko@linaro.org>
            Cc: Guenter Roeck <linux@roeck-us.net>,
             Wim Van Sebroeck <wim@linux-watchdog.org>,
             linux-watchdog@vger.kernel.org
            Bcc: archive@example.org,
             me@example.org
            Subject: Re: [PATCH 2/7] watchdog: s3c2410: Make reset disable optional
            Message-ID: <reply-0002@example.org>
            In-Reply-To: <20211107202530.20147-3-semen.protsenko@linaro.org>

            .a line starting with a dot
            """),
        ("0003.eml", """
            From: rev@example.org
            To: semen.protsenko@linaro.org
            Subject: Re: [PATCH 3/7] watchdog: s3c2410: Extract disable function
            Date: Tue, 14 Nov 2023 22:13:20 +0000
            Message-ID: <reply-0003@example.org>

            Does this keep the clock enabled on the error path?

            """),
    ]

    /// The date line `send` writes.
    static var dateLine: String { "Date: \(OutgoingDraft.dateHeader(sendDate))" }

    struct Setup {
        var dir: URL
        var store: StateStore
        var scratch: URL
        func remove() { try? FileManager.default.removeItem(at: scratch) }
    }

    func setUp(_ drafts: [(String, String)] = Self.drafts) throws -> Setup {
        let scratch = try TestDirectories.make("send")
        let dir = scratch.appendingPathComponent("out")
        try TestDirectories.writeReview(drafts, to: dir,
                                        extra: [OutputFile(name: "0001-review-inline.txt", data: Data("not a draft".utf8))])
        return Setup(dir: dir, store: try TestDirectories.store(in: scratch), scratch: scratch)
    }

    func server(_ smtp: LoopbackSMTPServer, lowSpeedSeconds: Int = 10) -> SMTPServer {
        SMTPServer(url: smtp.url, username: "rev", password: password, allowPlaintext: true,
                   timeouts: TransferTimeouts(connect: 2, total: 10, lowSpeedBytesPerSecond: 1, lowSpeedSeconds: lowSpeedSeconds))
    }

    func run(_ dir: URL, _ store: StateStore, _ smtp: LoopbackSMTPServer, _ confirmation: SendConfirmation = .assumeYes,
             lowSpeedSeconds: Int = 10) async throws -> (SendJob.Report, [String]) {
        let lines = Locked<[String]>([])
        let transport = SMTPTransport(client: CurlClient(), server: server(smtp, lowSpeedSeconds: lowSpeedSeconds))
        let report = try await SendJob(directory: dir, confirmation: confirmation, ledger: SentLedger(store: store),
                                       clock: { Self.sendDate })
            .run(transport: transport) { line in lines.withLock { $0.append(line) } }
        return (report, lines.withLock { $0 })
    }

    /// `text` as it goes out: Bcc gone, Date set to the send time (in place, or added at
    /// the end of the header block), CRLF.
    static func sent(_ text: String, withoutBcc bcc: String? = nil) -> Data {
        var out = text
        if let bcc { out = out.replacingOccurrences(of: bcc, with: "") }
        if let date = out.range(of: "Date: Tue, 14 Nov 2023 22:13:20 +0000\n") {
            out.replaceSubrange(date, with: dateLine + "\n")
        } else if let end = out.range(of: "\n\n") {
            out.replaceSubrange(end, with: "\n" + dateLine + "\n\n")
        }
        if !out.hasSuffix("\n") { out += "\n" }
        return LineEndings.crlf(Data(out.utf8))
    }

    @Test func yesSendsEveryDraftOnceWithTheRightEnvelopeAndTheSendDate() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }

        let (report, lines) = try await run(setup.dir, setup.store, smtp)
        #expect(report.sent == ["0001.eml", "0002.eml", "0003.eml"])
        let envelopes = smtp.envelopes
        #expect(envelopes.map(\.sender) == ["rev@example.org", "rev@example.org", "rev@example.org"])
        #expect(envelopes.map(\.recipients) == [
            ["semen.protsenko@linaro.org", "linux-watchdog@vger.kernel.org"],
            ["semen.protsenko@linaro.org", "linux@roeck-us.net", "wim@linux-watchdog.org",
             "linux-watchdog@vger.kernel.org", "archive@example.org", "me@example.org"],
            ["semen.protsenko@linaro.org"],
        ])
        // Byte for byte the draft in CRLF, except the Bcc field and the Date, which is the
        // moment of sending (the third draft's drafting date is replaced).
        #expect(envelopes[0].message == Self.sent(Self.drafts[0].1))
        #expect(envelopes[1].message == Self.sent(Self.drafts[1].1, withoutBcc: "Bcc: archive@example.org,\n me@example.org\n"))
        #expect(envelopes[2].message == Self.sent(Self.drafts[2].1))
        #expect(!String(decoding: envelopes[2].message, as: UTF8.self).contains("2023"))
        #expect(lines.first?.hasPrefix("sending the drafts of the latest review in \(setup.dir.path): 'watchdog: s3c2410: Add Exynos850 support' v1") == true)
        #expect(lines.contains("sent 0001.eml to semen.protsenko@linaro.org, linux-watchdog@vger.kernel.org (Message-ID <reply-0001@example.org>)"))
        #expect(!lines.joined().contains(password))

        let record = try #require(try setup.store.sentMail(channel: .smtp, messageID: "<reply-0002@example.org>",
                                                             patchMessageID: nil, contentHash: ""))
        #expect(record.state == .accepted)
        #expect(record.destination == "127.0.0.1:\(smtp.port)")
        #expect(record.patchMessageID == "20211107202530.20147-3-semen.protsenko@linaro.org")

        // A second run sends nothing, and says when each went out.
        let (again, againLines) = try await run(setup.dir, setup.store, smtp)
        #expect(again.sent.isEmpty)
        #expect(again.alreadySent == ["0001.eml", "0002.eml", "0003.eml"])
        #expect(smtp.envelopes.count == 3)
        #expect(againLines.contains { $0.hasPrefix("already sent 0001.eml on ") && $0.hasSuffix("(Message-ID <reply-0001@example.org>): skipped") })
    }

    @Test func aCopyOfTheDirectoryOrANewReviewWithTheSameRepliesSendsNothingAgain() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        _ = try await run(setup.dir, setup.store, smtp)
        #expect(smtp.envelopes.count == 3)

        // A copy of the directory, dot files and all.
        let copy = setup.scratch.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: setup.dir, to: copy)
        let (fromCopy, _) = try await run(copy, setup.store, smtp)
        #expect(fromCopy.sent.isEmpty && fromCopy.alreadySent.count == 3)

        // The same replies written by a new review into a new directory under new
        // Message-IDs: the same text to the same patch is recognised.
        let rerun = setup.scratch.appendingPathComponent("rerun")
        try TestDirectories.writeReview(Self.drafts.map { name, text in
            (name, text.replacingOccurrences(of: "@example.org>\n", with: "-v2@example.org>\n"))
        }, to: rerun)
        let (fromRerun, lines) = try await run(rerun, setup.store, smtp)
        #expect(fromRerun.sent == ["0003.eml"], "0003 has no In-Reply-To, so only its Message-ID identifies it")
        #expect(fromRerun.alreadySent == ["0001.eml", "0002.eml"])
        #expect(lines.contains { $0.hasPrefix("already sent 0001.eml on ") && $0.contains("<reply-0001@example.org>") })
        #expect(smtp.envelopes.count == 4)
    }

    @Test func theServersAcceptanceIsRecordedBeforeQuitIsAnswered() async throws {
        // The server takes the message, then never answers QUIT. What the ledger holds
        // when QUIT arrives is what an interrupted run would leave: it must be there.
        let setup = try setUp([Self.drafts[0]])
        defer { setup.remove() }
        let store = setup.store
        let atQuit = Locked<SentMailRecord.State?>(nil)
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password], misbehaviour: .hangAfterAccepting)) { command in
            guard command == "QUIT" else { return }
            let record = try? store.sentMail(channel: .smtp, messageID: "<reply-0001@example.org>", patchMessageID: nil,
                                             contentHash: "")
            atQuit.withLock { $0 = record?.state }
        }
        defer { smtp.stop() }
        let (report, _) = try await run(setup.dir, store, smtp, lowSpeedSeconds: 2)
        #expect(smtp.receivedCommands.last == "QUIT")
        #expect(atQuit.withLock { $0 } == .accepted, "the 250 must be recorded while the session is still open")
        #expect(report.sent == ["0001.eml"])
        let (again, _) = try await run(setup.dir, store, smtp)
        #expect(again.alreadySent == ["0001.eml"])
        #expect(smtp.envelopes.count == 1)
    }

    @Test func anOldDotSentIsImportedOnFirstUse() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        try Data("<reply-0002@example.org> 0002.eml 2025-12-24T10:00:00Z\n".utf8)
            .write(to: setup.dir.appendingPathComponent(".sent"))
        let (report, lines) = try await run(setup.dir, setup.store, smtp)
        #expect(report.sent == ["0001.eml", "0003.eml"])
        #expect(report.alreadySent == ["0002.eml"])
        #expect(lines.contains { $0.hasPrefix("already sent 0002.eml on 2025-12-24") })
        #expect(!FileManager.default.fileExists(atPath: setup.dir.appendingPathComponent(".sent").path))
        // A copy made without the dot files knows it too: the ledger is the database.
        let copy = setup.scratch.appendingPathComponent("copy")
        try TestDirectories.writeReview(Self.drafts, to: copy)
        let (fromCopy, _) = try await run(copy, setup.store, smtp)
        #expect(fromCopy.sent.isEmpty)
        #expect(smtp.envelopes.count == 2)
    }

    @Test func onlyTheLatestReviewsDraftsAreSent() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        // Another series reviewed into the same directory: its drafts replace these.
        let other = ReviewIdentity(series: "title:another series\u{0}x@example.org", revision: 2, title: "another series")
        try TestDirectories.writeReview([("0001.eml", Self.drafts[2].1.replacingOccurrences(of: "reply-0003", with: "other-0001"))],
                                        to: setup.dir, review: other)
        try Data(Self.drafts[0].1.replacingOccurrences(of: "reply-0001", with: "stray").utf8)
            .write(to: setup.dir.appendingPathComponent("0009.eml"))
        let (report, lines) = try await run(setup.dir, setup.store, smtp)
        #expect(report.sent == ["0001.eml"])
        #expect(report.notInReview == ["0009.eml"])
        #expect(lines.first?.contains("'another series' v2") == true)
        #expect(lines.contains("not sent: 0009.eml is not a draft of that review"))
        #expect(smtp.envelopes.map { String(decoding: $0.message, as: UTF8.self).contains("<other-0001@example.org>") } == [true])
    }

    @Test func aDirectoryWithoutAManifestIsRefused() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let scratch = try TestDirectories.make("send-nomanifest")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (name, text) in Self.drafts { try Data(text.utf8).write(to: scratch.appendingPathComponent(name)) }
        await #expect {
            _ = try await run(scratch, try TestDirectories.store(in: scratch), smtp)
        } throws: { error in
            "\(error)".contains("has no .reviewbot/manifest.json")
        }
        #expect(smtp.envelopes.isEmpty)
    }

    @Test func aDeclinedDraftIsSkippedAndCanBeSentLater() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        let asked = Locked<[String]>([])
        let (report, _) = try await run(setup.dir, setup.store, smtp, .ask { question in
            asked.withLock { $0.append(question.draft.file) }
            return question.draft.file == "0002.eml" ? .skip : .send
        })
        #expect(asked.withLock { $0 } == ["0001.eml", "0002.eml", "0003.eml"])
        #expect(report.sent == ["0001.eml", "0003.eml"])
        #expect(report.declined == ["0002.eml"])
        #expect(smtp.envelopes.map { $0.recipients.first } == ["semen.protsenko@linaro.org", "semen.protsenko@linaro.org"])

        // Only the declined one is asked about, and sent, next time.
        asked.withLock { $0.removeAll() }
        let (second, _) = try await run(setup.dir, setup.store, smtp, .ask { question in
            asked.withLock { $0.append(question.draft.file) }
            return .send
        })
        #expect(asked.withLock { $0 } == ["0002.eml"])
        #expect(second.sent == ["0002.eml"])
        #expect(smtp.envelopes.count == 3)
    }

    @Test func quitSendsNothingMore() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        let (report, _) = try await run(setup.dir, setup.store, smtp, .ask { $0.draft.file == "0001.eml" ? .send : .quit })
        #expect(report.sent == ["0001.eml"])
        #expect(report.notAttempted == ["0002.eml", "0003.eml"])
        #expect(smtp.envelopes.count == 1)
    }

    @Test func aRefusedRecipientFailsThatDraftOnlyAndLeavesItUnrecorded() async throws {
        let setup = try setUp()
        defer { setup.remove() }
        let refusing = try LoopbackSMTPServer(policy: .init(users: ["rev": password],
                                                            rejectedRecipients: ["wim@linux-watchdog.org"]))
        defer { refusing.stop() }
        let (report, _) = try await run(setup.dir, setup.store, refusing)
        #expect(report.sent == ["0001.eml", "0003.eml"])
        #expect(report.failed.map(\.file) == ["0002.eml"])
        let reason = try #require(report.failed.first?.reason)
        #expect(reason.hasPrefix("smtp server 127.0.0.1:\(refusing.port) refused the message"), "\(reason)")
        #expect(!reason.contains(password) && !reason.contains("\n"))
        #expect(refusing.envelopes.count == 2)
        #expect(try setup.store.sentMail(channel: .smtp, messageID: "<reply-0002@example.org>", patchMessageID: nil,
                                         contentHash: "") == nil)

        // Once the server takes the recipient, the re-run sends exactly the failed draft.
        let accepting = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { accepting.stop() }
        let (second, _) = try await run(setup.dir, setup.store, accepting)
        #expect(second.sent == ["0002.eml"])
        #expect(accepting.envelopes.count == 1)
    }

    @Test func aRefusedLoginStopsTheRunBeforeTheFirstQuestion() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password], rejectAuthentication: true))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        let asked = Locked(0)
        await #expect {
            _ = try await run(setup.dir, setup.store, smtp, .ask { _ in asked.withLock { $0 += 1 }; return .send })
        } throws: { error in
            "\(error)" == "login denied by 127.0.0.1:\(smtp.port)"
        }
        #expect(asked.withLock { $0 } == 0)
        #expect(smtp.envelopes.isEmpty)
    }

    @Test func aServerWithoutTLSIsRefusedBeforeTheFirstQuestion() async throws {
        // smtp:// without --smtp-allow-plaintext must upgrade with STARTTLS; the loopback
        // server cannot, and that must show before anyone is asked about a draft.
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp()
        defer { setup.remove() }
        let asked = Locked(0)
        var strict = server(smtp)
        strict.allowPlaintext = false
        let job = SendJob(directory: setup.dir, confirmation: .ask { _ in asked.withLock { $0 += 1 }; return .send },
                          ledger: SentLedger(store: setup.store))
        await #expect(throws: (any Error).self) {
            _ = try await job.run(transport: SMTPTransport(client: CurlClient(), server: strict)) { _ in }
        }
        #expect(asked.withLock { $0 } == 0)
        #expect(smtp.envelopes.isEmpty)
        #expect(!smtp.receivedCommands.contains { $0.hasPrefix("AUTH") }, "no password before TLS")
    }

    @Test func aBrokenDraftStopsTheRunBeforeAnythingIsSent() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let setup = try setUp(Self.drafts + [("0004.eml", "From: rev@example.org\nTo: a@example.com\nSubject: x\n\nno id\n")])
        defer { setup.remove() }
        await #expect(throws: ReviewBotError("0004.eml: no Message-ID header, so a second send could not be recognised")) {
            _ = try await run(setup.dir, setup.store, smtp)
        }
        #expect(smtp.envelopes.isEmpty)
    }

    @Test func withoutATerminalOrYesNothingIsSent() throws {
        #expect {
            _ = try SendConfirmation.terminal(assumeYes: false, standardInputIsTerminal: false,
                                              readLine: { "y" }, write: { _ in })
        } throws: { error in
            let error = error as? ReviewBotError
            return error?.kind == .usage && error?.description.hasPrefix("refusing to send: standard input is not a terminal") == true
        }
        guard case .assumeYes = try SendConfirmation.terminal(assumeYes: true, standardInputIsTerminal: false,
                                                               readLine: { nil }, write: { _ in }) else {
            Issue.record("--yes must not ask")
            return
        }
    }

    @Test func thePasswordIsAskedForWhenNoneIsConfigured() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        var config = Configuration()
        config.smtp.url = smtp.url
        config.smtp.user = "rev"
        config.smtp.allowPlaintext = true
        let prompts = Locked<[String]>([])
        let typed = password
        let server = try config.smtpServer(environment: [:], askPassword: { prompt in
            prompts.withLock { $0.append(prompt) }
            return typed
        })
        #expect(prompts.withLock { $0 } == ["Password for rev at 127.0.0.1:\(smtp.port): "])
        try await CurlClient().checkMailServer(server)
        #expect(smtp.receivedCommands.contains { $0.hasPrefix("AUTH") })
        // Without a terminal to ask on, the error says what to set.
        #expect(throws: ReviewBotError.self) { _ = try config.smtpServer(environment: [:]) }
        // Plaintext is for loopback only: the password would cross the network in clear.
        config.smtp.url = "smtp://mail.example.org:587"
        #expect {
            _ = try config.smtpServer(environment: [Configuration.smtpPasswordVariable: "x"])
        } throws: { error in
            "\(error)".hasPrefix("plaintext smtp (--smtp-allow-plaintext or [smtp] allow_plaintext) is only for a loopback test server")
        }
    }
}
