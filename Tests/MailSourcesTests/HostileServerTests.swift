import CurlKit
import Foundation
@testable import LoopbackServers
@testable import MailSources
import MboxParser
import Testing

/// lore, IMAP and SMTP servers that answer too much, too slowly, with lies, or with our
/// secrets: each ends with a message naming the limit, in bounded time and memory.
@Suite struct HostileServerTests {
    let client = CurlClient()
    let id = "20211028183527.3050-1-semen.protsenko@linaro.org"

    func lore(_ base: String, maxThreadBytes: Int = LoreConfiguration.defaultMaxThreadBytes) -> LoreClient {
        LoreClient(client: client, configuration: LoreConfiguration(
            baseURL: base, timeouts: TransferTimeouts(connect: 2, total: 30), retry: RetryPolicy(maxAttempts: 1),
            maxThreadBytes: maxThreadBytes))
    }

    // MARK: HTTP bodies (CurlKit)

    @Test(.timeLimit(.minutes(5)))
    func everyBodyIsCutAtItsLimitWhileItArrives() async throws {
        let limit = 1 << 20
        for answer in [HostileHTTPServer.Answer.huge(bytes: 64 << 20), .endless()] {
            let server = try HostileHTTPServer(always: answer)
            defer { server.stop() }
            await #expect {
                try await client.send(HTTPRequest(url: server.baseURL + "/x", maxBodyBytes: limit))
            } throws: { error in
                (error as? CurlError)?.kind == .tooLarge && "\(error)".contains("larger than \(limit) bytes")
            }
        }
    }

    @Test func aBodyWithinTheLimitStillArrivesWhole() async throws {
        let server = try HostileHTTPServer(always: .huge(bytes: 300_000))
        defer { server.stop() }
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/x", maxBodyBytes: 300_000))
        #expect(response.body == Data(repeating: UInt8(ascii: "x"), count: 300_000))
    }

    @Test func aFloodOfHeaderFieldsIsRefused() async throws {
        let server = try HostileHTTPServer(always: .headerFlood(count: HTTPHeaders.maxFields + 10))
        defer { server.stop() }
        await #expect {
            try await client.send(HTTPRequest(url: server.baseURL + "/x"))
        } throws: { ($0 as? CurlError)?.kind == .tooLarge }
    }

    @Test func aLyingContentLengthIsALostConnection() async throws {
        let server = try HostileHTTPServer(always: .lyingLength(claimed: 10_000, body: Data("short".utf8)))
        defer { server.stop() }
        await #expect {
            try await client.send(HTTPRequest(url: server.baseURL + "/x"))
        } throws: { ($0 as? CurlError)?.kind == .connectionLost }
    }

    // MARK: lore

    @Test(.timeLimit(.minutes(5)))
    func aGzipBombFromLoreStopsAtTheThreadLimit() async throws {
        // 256 members of 1 MiB of zeros: about 256 KB on the wire, 256 MiB inflated.
        let server = try HostileHTTPServer(always: .gzipBomb(memberBytes: 1 << 20, members: 256))
        defer { server.stop() }
        let limit = 16 << 20
        await #expect {
            try await lore(server.baseURL, maxThreadBytes: limit).thread(LoreThreadReference(messageID: id))
        } throws: { error in
            "\(error)".contains("larger than \(limit) bytes uncompressed") && "\(error)".contains("<\(id)>")
        }
    }

    @Test func aSmallGzipIsStillInflatedWhole() async throws {
        let fake = try Fixtures.lore()
        let server = try fake.start()
        defer { server.stop() }
        let expected = try Fixtures.data(Fixtures.exynosV1)
        let mail = try await lore(server.baseURL, maxThreadBytes: expected.count).thread(LoreThreadReference(messageID: id))
        #expect(mail.parts.first?.bytes == expected)
        await #expect(throws: MailSourceError.self) {
            try await lore(server.baseURL, maxThreadBytes: expected.count - 1).thread(LoreThreadReference(messageID: id))
        }
    }

    @Test func aLoreKernelOrgURLIsFetchedFromTheConfiguredMirror() async throws {
        let mirror = try Fixtures.lore().start()
        defer { mirror.stop() }
        let expected = try Fixtures.data(Fixtures.exynosV1)
        for source in ["https://lore.kernel.org/linux-watchdog/\(id)/", "https://lore.kernel.org/all/\(id)/t.mbox.gz",
                       "http://LORE.kernel.org:443/r/\(id)", "lore.kernel.org/r/\(id)", "lore.kernel.org/linux-watchdog/\(id)/T/"] {
            let spec = try SourceSpec.parse(source, fileExists: { _ in false })
            guard case .lore = spec else { Issue.record("\(source) is not a lore source: \(spec)"); continue }
            let fetched = try await MailFetcher(lore: lore(mirror.baseURL)).fetch(spec)
            #expect(fetched.mboxrd() == expected, "\(source)")
        }
        #expect(mirror.requests.count == 5)
    }

    // MARK: IMAP

    let user = "reviewer"
    let password = "imap-Secret-\(UUID().uuidString.prefix(6))"

    func imapOptions(timeout: Double = 2) -> IMAPOptions {
        IMAPOptions(allowPlaintext: true, timeout: timeout, search: .raw("ALL"),
                    environment: [IMAPOptions.passwordVariable: password])
    }

    func messages(_ count: Int = 2) throws -> [Data] {
        Array(Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.exynosV1)).prefix(count))
    }

    func imap(_ server: HostileIMAPServer, _ mailbox: String = "INBOX") throws -> IMAPMailboxURL {
        try IMAPMailboxURL(parsing: "imap://\(user)@127.0.0.1:\(server.port)/\(mailbox)")
    }

    @Test func theHostileIMAPServerServesWellWhenAskedTo() async throws {
        let mail = try messages()
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: ["INBOX": mail])
        defer { server.stop() }
        let fetched = try await IMAPMailbox.fetch(try imap(server), options: imapOptions())
        #expect(fetched.parts.map(\.bytes) == mail)
    }

    @Test(.timeLimit(.minutes(5)))
    func aDribbledLiteralEndsAtTheOperationDeadline() async throws {
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: ["INBOX": try messages(1)],
                                           behaviour: .dribbleLiteral(interval: 0.5))
        defer { server.stop() }
        let (error, seconds) = try await timedFetch(try imap(server), options: imapOptions(timeout: 2))
        #expect(error?.hasPrefix("127.0.0.1:\(server.port) did not finish UID FETCH BODY.PEEK[] within 8s") == true,
                "\(error ?? "no error")")
        // Each byte comes well inside libetpan's 1 s read timeout; only the deadline ends it.
        #expect(seconds >= 7 && seconds < 20, "\(seconds)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aGreetingThatNeverEndsEndsAtTheDeadline() async throws {
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: [:],
                                           behaviour: .dribbleGreeting(interval: 0.2))
        defer { server.stop() }
        let (error, seconds) = try await timedFetch(try imap(server), options: imapOptions(timeout: 1))
        #expect(error?.contains("did not finish connecting within 4s") == true, "\(error ?? "no error")")
        #expect(seconds < 10, "\(seconds)")
    }

    @Test(.timeLimit(.minutes(5)))
    func anEndlessLiteralIsCutAtTheAnnouncedSize() async throws {
        let mail = try messages(1)
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: ["INBOX": mail],
                                           behaviour: .endlessLiteral)
        defer { server.stop() }
        await #expect {
            try await IMAPMailbox.fetch(try imap(server), options: imapOptions(timeout: 20))
        } throws: { error in "\(error)".contains("sent more than") && "\(error)".contains("UID FETCH BODY.PEEK[]") }
    }

    @Test func moreThanTheServerAnnouncedIsRefused() async throws {
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: ["INBOX": try messages(2)],
                                           behaviour: .understateSizes(extra: 200_000))
        defer { server.stop() }
        await #expect {
            try await IMAPMailbox.fetch(try imap(server), options: imapOptions())
        } throws: { "\($0)".contains("sent more than") }
    }

    @Test func aMessageOverTheLimitIsNamedAndNotFetched() async throws {
        var mail = try messages(2)
        mail[1] += Data(repeating: UInt8(ascii: "a"), count: IMAPOptions.maxMessageBytes)
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: ["INBOX": mail])
        defer { server.stop() }
        let fetched = try await IMAPMailbox.fetch(try imap(server), options: imapOptions())
        #expect(fetched.parts.map(\.bytes) == [mail[0]])
        #expect(fetched.notes.count == 1 && fetched.notes[0].contains("UID=2") && fetched.notes[0].contains("message limit"))
        #expect(server.commands.contains { $0.contains("UID FETCH 1 ") && $0.contains("BODY.PEEK") })
        #expect(!server.commands.contains { $0.contains("UID FETCH 2 ") && $0.contains("BODY.PEEK") })
    }

    @Test func aRefusalThatQuotesThePasswordIsShownWithoutItOrItsEscapes() async throws {
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: [:], behaviour: .echoPasswordOnLogin)
        defer { server.stop() }
        await #expect {
            try await IMAPMailbox.fetch(try imap(server), options: imapOptions())
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("login failed for \(user)") && !text.contains(password)
                && text.contains(SecretRedactor.placeholder) && !text.contains("\u{1B}") && text.contains("^[")
        }
    }

    @Test func thePasswordPlantedInAMessageIsNotKept() async throws {
        var mail = try messages(1)
        mail[0] += Data("Your IMAP password is \(password).\n".utf8)
        let server = try HostileIMAPServer(user: user, password: password, mailboxes: ["INBOX": mail])
        defer { server.stop() }
        let fetched = try await IMAPMailbox.fetch(try imap(server), options: imapOptions())
        let bytes = try #require(fetched.parts.first?.bytes)
        #expect(bytes.range(of: Data(password.utf8)) == nil)
        #expect(bytes.range(of: Data("Your IMAP password is \(SecretRedactor.placeholder).".utf8)) != nil)
    }

    @Test func aFolderPathUsesTheServersHierarchySeparator() async throws {
        let mail = try messages()
        for separator: Character in [".", "/"] {
            let server = try HostileIMAPServer(user: user, password: password,
                                               mailboxes: ["lists\(separator)netdev": mail], separator: separator)
            defer { server.stop() }
            let fetched = try await IMAPMailbox.fetch(try imap(server, "lists/netdev"), options: imapOptions())
            #expect(fetched.parts.map(\.bytes) == mail)
            #expect(server.commands.contains { $0.contains("EXAMINE") && $0.contains("lists\(separator)netdev") },
                    "\(server.commands)")
        }
    }

    @Test func aFolderPathWorksOnDovecotsDefaultSeparator() async throws {
        let dovecot = try DovecotServer(users: ["test": password])
        defer { dovecot.stop() }
        let mail = try messages(3)
        for message in mail { try dovecot.deliver(message, to: "test", mailbox: "lists.netdev") }
        let url = try IMAPMailboxURL(parsing: "imap://test@127.0.0.1:\(dovecot.imapPort)/lists/netdev")
        let fetched = try await IMAPMailbox.fetch(url, options: imapOptions(timeout: 5))
        #expect(fetched.parts.map(\.bytes) == mail)
    }

    // MARK: SMTP

    let smtpPassword = "smtp-Secret-\(UUID().uuidString.prefix(6))"
    let mailBytes = Data("From: a@example.org\nTo: b@example.org\nSubject: x\n\nhi\n".utf8)

    func smtp(_ server: LoopbackSMTPServer, seconds: Double = 2) -> SMTPServer {
        SMTPServer(url: server.url, username: "reviewer", password: smtpPassword, allowPlaintext: true,
                   timeouts: TransferTimeouts(connect: seconds, total: seconds * 4, lowSpeedBytesPerSecond: 1,
                                              lowSpeedSeconds: Int(seconds)))
    }

    @Test(.timeLimit(.minutes(5)))
    func aSilentOrStallingSMTPServerEndsAtTheTimeout() async throws {
        for misbehaviour in [LoopbackSMTPServer.Misbehaviour.silent, .stallAfterData] {
            let server = try LoopbackSMTPServer(policy: .init(users: ["reviewer": smtpPassword], misbehaviour: misbehaviour))
            defer { server.stop() }
            // A timeout is the only way this ends: the server never answers. (No wall-clock
            // bound here: an `await` resumes late when the whole test run is busy.)
            await #expect {
                try await client.sendMail(mailBytes, from: "a@example.org", to: ["b@example.org"], via: smtp(server))
            } throws: { ($0 as? CurlError)?.kind == .timedOut }
        }
    }

    @Test func anSMTPServerThatAnswersNonsenseIsAProtocolFailure() async throws {
        let server = try LoopbackSMTPServer(policy: .init(users: ["reviewer": smtpPassword], misbehaviour: .nonsense))
        defer { server.stop() }
        await #expect {
            try await client.sendMail(mailBytes, from: "a@example.org", to: ["b@example.org"], via: smtp(server))
        } throws: { error in !"\(error)".contains("\u{1B}") }
        #expect(server.envelopes.isEmpty)
    }

    @Test func anSMTPRefusalQuotingThePasswordIsShownWithoutIt() async throws {
        let server = try LoopbackSMTPServer(policy: .init(users: ["reviewer": smtpPassword], misbehaviour: .echoCredentials))
        defer { server.stop() }
        await #expect {
            try await client.sendMail(mailBytes, from: "a@example.org", to: ["b@example.org"], via: smtp(server))
        } throws: { error in
            !"\(error)".contains(smtpPassword) && !"\(error)".contains("\u{1B}")
        }
    }
}
