import CurlKit
import Foundation
import LoopbackServers
@testable import ReviewBotKit
import Testing

/// `reviewbot send` against the loopback SMTP server, through libcurl.
@Suite struct SendJobTests {
    let password = "send-Pa55-\(UUID().uuidString.prefix(8))"

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

            .a line starting with a dot
            """),
        ("0003.eml", """
            From: rev@example.org
            To: semen.protsenko@linaro.org
            Subject: Re: [PATCH 3/7] watchdog: s3c2410: Extract disable function
            Message-ID: <reply-0003@example.org>

            Does this keep the clock enabled on the error path?

            """),
    ]

    func makeDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-send-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in Self.drafts { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        try Data("not a draft".utf8).write(to: dir.appendingPathComponent("0001-review-inline.txt"))
        return dir
    }

    func transport(_ smtp: LoopbackSMTPServer) -> SMTPTransport {
        SMTPTransport(client: CurlClient(), server: SMTPServer(
            url: smtp.url, username: "rev", password: password, allowPlaintext: true,
            timeouts: TransferTimeouts(connect: 2, total: 10)))
    }

    func run(_ dir: URL, _ smtp: LoopbackSMTPServer, _ confirmation: SendConfirmation = .assumeYes)
        async throws -> (SendJob.Report, [String]) {
        let lines = Locked<[String]>([])
        let report = try await SendJob(directory: dir, confirmation: confirmation)
            .run(transport: transport(smtp)) { line in lines.withLock { $0.append(line) } }
        return (report, lines.withLock { $0 })
    }

    @Test func yesSendsEveryDraftOnceWithTheRightEnvelope() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        let (report, lines) = try await run(dir, smtp)
        #expect(report.sent == ["0001.eml", "0002.eml", "0003.eml"])
        let envelopes = smtp.envelopes
        #expect(envelopes.map(\.sender) == ["rev@example.org", "rev@example.org", "rev@example.org"])
        #expect(envelopes.map(\.recipients) == [
            ["semen.protsenko@linaro.org", "linux-watchdog@vger.kernel.org"],
            ["semen.protsenko@linaro.org", "linux@roeck-us.net", "wim@linux-watchdog.org",
             "linux-watchdog@vger.kernel.org", "archive@example.org", "me@example.org"],
            ["semen.protsenko@linaro.org"],
        ])
        // Byte for byte the draft in CRLF, except the Bcc field (and its folded line).
        #expect(envelopes[0].message == LineEndings.crlf(Data(Self.drafts[0].1.utf8)))
        let withoutBcc = Self.drafts[1].1.replacingOccurrences(of: "Bcc: archive@example.org,\n me@example.org\n", with: "")
        #expect(withoutBcc != Self.drafts[1].1)
        // That draft has no final newline: SMTP ends the data with one.
        #expect(envelopes[1].message == LineEndings.crlf(Data((withoutBcc + "\n").utf8)))
        #expect(lines[0] == "sent 0001.eml to semen.protsenko@linaro.org, linux-watchdog@vger.kernel.org (Message-ID <reply-0001@example.org>)")
        #expect(!lines.joined().contains(password))

        let ledger = try String(contentsOf: dir.appendingPathComponent(".sent"), encoding: .utf8)
        #expect(ledger.split(separator: "\n").map { String($0.split(separator: " ")[0]) } ==
            ["<reply-0001@example.org>", "<reply-0002@example.org>", "<reply-0003@example.org>"])

        // A second run sends nothing: the maintainer never double-posts.
        let (again, againLines) = try await run(dir, smtp)
        #expect(again.sent.isEmpty)
        #expect(again.alreadySent == ["0001.eml", "0002.eml", "0003.eml"])
        #expect(smtp.envelopes.count == 3)
        #expect(againLines.first == "already sent 0001.eml (Message-ID <reply-0001@example.org>): skipped")
    }

    @Test func aDeclinedDraftIsSkippedAndCanBeSentLater() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let asked = Locked<[String]>([])
        let (report, _) = try await run(dir, smtp, .ask { draft in
            asked.withLock { $0.append(draft.file) }
            return draft.file == "0002.eml" ? .skip : .send
        })
        #expect(asked.withLock { $0 } == ["0001.eml", "0002.eml", "0003.eml"])
        #expect(report.sent == ["0001.eml", "0003.eml"])
        #expect(report.declined == ["0002.eml"])
        #expect(smtp.envelopes.map { $0.recipients.first } == ["semen.protsenko@linaro.org", "semen.protsenko@linaro.org"])
        #expect(String(decoding: smtp.envelopes[1].message, as: UTF8.self).contains("Extract disable function"))

        // Only the declined one is asked about, and sent, next time.
        asked.withLock { $0.removeAll() }
        let (second, _) = try await run(dir, smtp, .ask { draft in
            asked.withLock { $0.append(draft.file) }
            return .send
        })
        #expect(asked.withLock { $0 } == ["0002.eml"])
        #expect(second.sent == ["0002.eml"])
        #expect(smtp.envelopes.count == 3)
    }

    @Test func quitSendsNothingMore() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (report, _) = try await run(dir, smtp, .ask { $0.file == "0001.eml" ? .send : .quit })
        #expect(report.sent == ["0001.eml"])
        #expect(report.notAttempted == ["0002.eml", "0003.eml"])
        #expect(smtp.envelopes.count == 1)
    }

    @Test func aRefusedRecipientFailsThatDraftOnlyAndLeavesItUnmarked() async throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let refusing = try LoopbackSMTPServer(policy: .init(users: ["rev": password],
                                                            rejectedRecipients: ["wim@linux-watchdog.org"]))
        defer { refusing.stop() }
        let (report, lines) = try await run(dir, refusing)
        #expect(report.sent == ["0001.eml", "0003.eml"])
        #expect(report.failed.map(\.file) == ["0002.eml"])
        let reason = try #require(report.failed.first?.reason)
        #expect(reason.hasPrefix("smtp server 127.0.0.1:\(refusing.port) refused the message"), "\(reason)")
        #expect(!reason.contains(password) && !reason.contains("\n"))
        #expect(lines == ["sent 0001.eml to semen.protsenko@linaro.org, linux-watchdog@vger.kernel.org (Message-ID <reply-0001@example.org>)",
                          "sent 0003.eml to semen.protsenko@linaro.org (Message-ID <reply-0003@example.org>)"])
        #expect(refusing.envelopes.count == 2)
        let ledger = try String(contentsOf: dir.appendingPathComponent(".sent"), encoding: .utf8)
        #expect(!ledger.contains("reply-0002"))

        // Once the server takes the recipient, the re-run sends exactly the failed draft.
        let accepting = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { accepting.stop() }
        let (second, _) = try await run(dir, accepting)
        #expect(second.sent == ["0002.eml"])
        #expect(accepting.envelopes.count == 1)
    }

    @Test func aRefusedLoginStopsTheRunWithoutThePassword() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password], rejectAuthentication: true))
        defer { smtp.stop() }
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (report, lines) = try await run(dir, smtp)
        #expect(report.failed.map(\.file) == ["0001.eml"])
        #expect(report.failed.first?.reason == "login denied by 127.0.0.1:\(smtp.port)")
        #expect(report.notAttempted == ["0002.eml", "0003.eml"])
        #expect(!lines.joined().contains(password))
        #expect(smtp.envelopes.isEmpty)
        #expect(try String(contentsOf: dir.appendingPathComponent(".sent"), encoding: .utf8).isEmpty)
    }

    @Test func aBrokenDraftStopsTheRunBeforeAnythingIsSent() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["rev": password]))
        defer { smtp.stop() }
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("From: rev@example.org\nTo: a@example.com\nSubject: x\n\nno id\n".utf8)
            .write(to: dir.appendingPathComponent("0004.eml"))
        await #expect(throws: ReviewBotError("0004.eml: no Message-ID header, so a second send could not be recognised")) {
            _ = try await run(dir, smtp)
        }
        #expect(smtp.envelopes.isEmpty)
    }

    @Test func twoRunsOnOneDirectoryCannotBothSend() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try SentLedger(directory: dir)
        #expect(throws: ReviewBotError.self) { _ = try SentLedger(directory: dir) }
        withExtendedLifetime(first) {}
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

    @Test func terminalPromptShowsTheDraftAndInsistsOnAClearAnswer() async throws {
        let draft = try OutgoingDraft(file: "0002.eml", bytes: Data(Self.drafts[1].1.utf8))
        let answers = Locked(["maybe", " N "])
        let written = Locked("")
        let confirmation = try SendConfirmation.terminal(
            assumeYes: false, standardInputIsTerminal: true,
            readLine: { answers.withLock { $0.isEmpty ? nil : $0.removeFirst() } },
            write: { text in written.withLock { $0 += text } })
        guard case .ask(let ask) = confirmation else { Issue.record("a terminal must be asked"); return }
        #expect(await ask(draft) == .skip)
        let screen = written.withLock { $0 }
        #expect(screen.contains("From: Rev Iewer <rev@example.org>\n"))
        #expect(screen.contains("Cc: Guenter Roeck <linux@roeck-us.net>, Wim Van Sebroeck <wim@linux-watchdog.org>, linux-watchdog@vger.kernel.org\n"))
        #expect(screen.contains("Bcc: archive@example.org, me@example.org\n"))
        #expect(screen.contains("Subject: Re: [PATCH 2/7] watchdog: s3c2410: Make reset disable optional\n"))
        #expect(screen.contains("\n.a line starting with a dot\n"))
        #expect(screen.contains("Send 0002.eml to 6 recipients? [y/n/q] "))
        #expect(screen.contains("please answer y (send), n (skip this one) or q (send nothing more)"))
        // End of input is not a yes.
        #expect(await ask(draft) == .quit)
    }
}
