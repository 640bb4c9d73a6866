import CurlKit
import Foundation
import LoopbackServers
@testable import MailSources
import Testing

/// Against a real Dovecot started per test. No Dovecot means failure, not a skip: CI
/// installs dovecot-imapd (scripts/install-deps).
@Suite struct IMAPTests {
    let password = "s3cret-Pa55-\(UUID().uuidString.prefix(6))"

    func options(allowPlaintext: Bool = true, tls: TLSOptions = TLSOptions(), timeout: Double = 5,
                 search: IMAPOptions.Search = .raw("ALL"), password: String? = nil) -> IMAPOptions {
        IMAPOptions(allowPlaintext: allowPlaintext, tls: tls, timeout: timeout, search: search,
                    environment: [IMAPOptions.passwordVariable: password ?? self.password])
    }

    func fixtureMessages() throws -> [Data] {
        Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.fromLine))
            + Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.exynosV1)).prefix(4)
    }

    @Test func fetchYieldsTheDeliveredMessagesByteForByteAndLeavesThemUnseen() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let messages = try fixtureMessages()
        for message in messages { try dovecot.deliver(message, to: "test") }
        let url = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/INBOX")
        let fetched = try await IMAPMailbox.fetch(url, options: options())
        #expect(fetched.parts.map(\.bytes) == messages)
        #expect(fetched.parts.allSatisfy { $0.kind == .message })
        let flags = try dovecot.doveadm(["fetch", "-u", "test", "flags", "mailbox", "INBOX", "all"])
        #expect(!flags.contains("\\Seen"), "\(flags)")
        #expect(flags.components(separatedBy: "flags:").count - 1 == messages.count)

        // The default search: PATCH in the subject, delivered (INTERNALDATE) in the last N days.
        let recent = try await IMAPMailbox.fetch(url, options: options(search: .recentPatches(days: 14)))
        #expect(recent.parts.count == messages.count)
        #expect(try await IMAPMailbox.fetch(url, options: options(search: .raw("BEFORE 1-Jan-2000"))).parts.isEmpty)
        let patches = try await IMAPMailbox.fetch(url, options: options(search: .raw("SUBJECT \"PATCH 1/7\"")))
        #expect(patches.parts.count == 1)
    }

    @Test func fetchCommandWritesTheMailboxAsMboxrd() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let messages = Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.fromLine))
        for message in messages { try dovecot.deliver(message, to: "test") }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mbox")
        let job = FetchJob(source: "imap://test@127.0.0.1:\(dovecot.imapPort)/INBOX", output: out.path,
                           lore: LoreConfiguration(), imap: options(), checkNewer: false)
        let lines = try await job.run()
        #expect(try Data(contentsOf: out) == (try Fixtures.data(Fixtures.fromLine)))
        #expect(!lines.joined().contains(password))
    }

    @Test func draftsArePushedOnceFlaggedDraft() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let drafts = Array(try fixtureMessages().prefix(3))
        for (number, draft) in drafts.enumerated() {
            try draft.write(to: dir.appendingPathComponent("000\(number)-reply.eml"))
        }
        try Data("not a mail".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let url = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/Drafts")
        let first = try await IMAPMailbox.pushDrafts(from: dir, to: url, options: options())
        #expect(first.appended.count == 3 && first.skipped.isEmpty)
        let second = try await IMAPMailbox.pushDrafts(from: dir, to: url, options: options())
        #expect(second.appended.isEmpty && second.skipped.count == 3)

        let flags = try dovecot.doveadm(["fetch", "-u", "test", "flags", "mailbox", "Drafts", "all"])
        #expect(flags.components(separatedBy: "\\Draft").count - 1 == 3, "\(flags)")
        let stored = try await IMAPMailbox.fetch(url, options: options())
        #expect(stored.parts.map(\.bytes) == drafts)
    }

    @Test func wrongPasswordNamesTheCauseAndNeverShowsThePassword() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let url = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/INBOX")
        let wrong = "wrong-\(password)"
        let (error, seconds) = try await timedFetch(url, options: options(password: wrong))
        let text = try #require(error)
        #expect(text.hasPrefix("login failed for test at 127.0.0.1:\(dovecot.imapPort)"), "\(text)")
        #expect(!text.contains(wrong) && !text.contains("\n"))
        // Dovecot delays a failed login on purpose (auth_failure_delay); no hang either way.
        #expect(seconds < 25)
        #expect(!dovecot.log.contains(wrong))
    }

    @Test func plaintextIsRefusedUnlessAllowed() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let url = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/INBOX")
        await #expect {
            try await IMAPMailbox.fetch(url, options: options(allowPlaintext: false))
        } throws: { "\($0)".hasPrefix("STARTTLS failed at 127.0.0.1:\(dovecot.imapPort)") }
    }

    @Test func tlsTrustsOnlyTheGivenCertificate() async throws {
        let dovecot = try DovecotServer(users: ["test": password], tls: true)
        defer { dovecot.stop() }
        let message = try fixtureMessages()[0]
        try dovecot.deliver(message, to: "test")
        let cert = try #require(dovecot.certificateFile)
        let imaps = try IMAPMailboxURL(parsing: "imaps://test@127.0.0.1:\(try #require(dovecot.imapsPort))/INBOX")
        let starttls = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/INBOX")

        for url in [imaps, starttls] {
            let fetched = try await IMAPMailbox.fetch(url, options: options(allowPlaintext: false, tls: TLSOptions(caFile: cert)))
            #expect(fetched.parts.map(\.bytes) == [message])
            await #expect {
                try await IMAPMailbox.fetch(url, options: options(allowPlaintext: false))
            } throws: { "\($0)".hasPrefix("tls certificate of 127.0.0.1:\(url.port) not trusted") }
        }
    }

    @Test func aCertificateForAnotherHostIsRefusedEvenWhenItsIssuerIsTrusted() async throws {
        let dovecot = try DovecotServer(users: ["test": password], tls: true, certificateHost: "mail.example.org")
        defer { dovecot.stop() }
        try dovecot.deliver(try fixtureMessages()[0], to: "test")
        let cert = try #require(dovecot.certificateFile)
        let imaps = try IMAPMailboxURL(parsing: "imaps://test@127.0.0.1:\(try #require(dovecot.imapsPort))/INBOX")
        let starttls = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/INBOX")
        for url in [imaps, starttls] {
            await #expect {
                try await IMAPMailbox.fetch(url, options: options(allowPlaintext: false, tls: TLSOptions(caFile: cert)))
            } throws: { error in
                "\(error)".hasPrefix("tls certificate of 127.0.0.1:\(url.port) not trusted") && !"\(error)".contains(password)
            }
        }
        #expect(!dovecot.log.contains("Login: user=<test>"), "\(dovecot.log)")
    }

    @Test func unknownHostRefusedPortAndSilentServerEndWithinTheTimeout() async throws {
        await #expect {
            try await IMAPMailbox.fetch(try IMAPMailboxURL(parsing: "imaps://test@imap.invalid/INBOX"), options: options())
        } throws: { "\($0)" == "could not resolve host imap.invalid" }

        let port = try DovecotServer.freePort()
        await #expect {
            try await IMAPMailbox.fetch(try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(port)/INBOX"), options: options())
        } throws: { "\($0)" == "connection refused by 127.0.0.1:\(port)" }

        let silent = try SilentServer()
        defer { silent.stop() }
        let (error, seconds) = try await timedFetch(try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(silent.port)/INBOX"),
                                                    options: options(timeout: 2))
        #expect(error == "timed out after 2s waiting for 127.0.0.1:\(silent.port)")
        // The silent server never answers: only the timeout can end this.
        #expect(seconds < 25)
    }

    @Test func passwordCommandFirstLine() throws {
        var imap = IMAPOptions(passwordCommand: "printf 'from-command\\r\\nsecond\\n'", environment: [:])
        let url = IMAPMailboxURL(security: .implicitTLS, user: "u", host: "h")
        #expect(try imap.password(for: url) == "from-command")
        imap.environment = [IMAPOptions.passwordVariable: "from-env"]
        #expect(try imap.password(for: url) == "from-env")
        imap = IMAPOptions(environment: [:])
        #expect(throws: MailSourceError.self) { try imap.password(for: url) }
    }
}
