import Testing
@testable import MailSources

@Suite struct SourceSpecTests {
    let id = "20211107202530.20147-1-semen.protsenko@linaro.org"

    func parse(_ text: String, existing: Set<String> = []) throws -> SourceSpec {
        try SourceSpec.parse(text, fileExists: { existing.contains($0) })
    }

    @Test func messageIDWithAndWithoutBrackets() throws {
        #expect(try parse(id) == .lore(LoreThreadReference(messageID: id)))
        #expect(try parse("<\(id)>") == .lore(LoreThreadReference(messageID: id)))
        #expect(try parse("  <\(id)>\n") == .lore(LoreThreadReference(messageID: id)))
    }

    @Test func filesStdinAndNonsense() throws {
        #expect(try parse("-") == .standardInput)
        #expect(try parse("series@v2.mbox", existing: ["series@v2.mbox"]) == .path("series@v2.mbox"))
        #expect(throws: MailSourceError.self) { try parse("no-such-file.mbox") }
        #expect(throws: MailSourceError.self) { try parse("") }
    }

    @Test(arguments: [
        "https://lore.kernel.org/linux-watchdog/ID/",
        "https://lore.kernel.org/linux-watchdog/ID",
        "https://lore.kernel.org/linux-watchdog/ID/T/#u",
        "https://lore.kernel.org/linux-watchdog/ID/t/",
        "https://lore.kernel.org/linux-watchdog/ID/raw",
        "https://lore.kernel.org/linux-watchdog/ID/t.mbox.gz",
        "https://lore.kernel.org/linux-watchdog/ID/#r",
        "https://lore.kernel.org/linux-watchdog/<ID>/",
        "https://lore.kernel.org/linux-watchdog/ENCODED/",
    ])
    func listURLForms(_ form: String) throws {
        let url = form.replacingOccurrences(of: "ENCODED", with: id.replacingOccurrences(of: "@", with: "%40"))
            .replacingOccurrences(of: "ID", with: id)
        #expect(try parse(url) == .lore(LoreThreadReference(messageID: id, list: "linux-watchdog",
                                                            baseURL: "https://lore.kernel.org")))
    }

    @Test func allRedirectAndMsgidLink() throws {
        #expect(try parse("https://lore.kernel.org/all/\(id)/") ==
            .lore(LoreThreadReference(messageID: id, baseURL: "https://lore.kernel.org")))
        #expect(try parse("https://lore.kernel.org/r/\(id)") ==
            .lore(LoreThreadReference(messageID: id, baseURL: "https://lore.kernel.org")))
        // patch.msgid.link only redirects to lore: fetch from the configured server.
        #expect(try parse("https://patch.msgid.link/\(id)") == .lore(LoreThreadReference(messageID: id)))
        #expect(try parse("http://127.0.0.1:8080/netdev/\(id)/T/") ==
            .lore(LoreThreadReference(messageID: id, list: "netdev", baseURL: "http://127.0.0.1:8080")))
        #expect(throws: MailSourceError.self) { try parse("https://lore.kernel.org/linux-watchdog/") }
        #expect(throws: MailSourceError.self) { try parse("https://lore.kernel.org/netdev/\(id)/bogus/x") }
    }

    @Test func idWithSlashRoundTripsThroughThePath() throws {
        let odd = "a/b%c?d#e f+g=h:i@host"
        let escaped = MessageID.pathEscaped(odd)
        #expect(escaped == "a%2Fb%25c%3Fd%23e%20f+g=h:i@host")
        #expect(try parse("https://lore.kernel.org/all/\(escaped)/") ==
            .lore(LoreThreadReference(messageID: odd, baseURL: "https://lore.kernel.org")))
    }

    @Test func imapURLs() throws {
        #expect(try parse("imaps://jane@mail.example.org/lists/netdev") == .imap(IMAPMailboxURL(
            security: .implicitTLS, user: "jane", host: "mail.example.org", port: 993, mailbox: "lists/netdev")))
        #expect(try parse("imap://jane%40example.org@127.0.0.1:1143/") == .imap(IMAPMailboxURL(
            security: .startTLS, user: "jane@example.org", host: "127.0.0.1", port: 1143, mailbox: "INBOX")))
        #expect(throws: MailSourceError.self) { try parse("imaps://jane:secret@host/INBOX") }
    }
}

@Suite struct MboxrdWriterTests {
    @Test func escapesFromLinesAndSeparatesMessages() {
        let message = "Subject: x\n\nFrom here\n>From there\nnot From\n"
        let mail = FetchedMail(parts: [.init(kind: .message, bytes: Data(message.utf8), origin: "t")])
        #expect(String(decoding: mail.mboxrd(), as: UTF8.self) ==
            "From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: x\n\n>From here\n>>From there\nnot From\n\n")
    }

    @Test func lastLineWithoutNewlineIsTerminated() {
        let mail = FetchedMail(parts: [.init(kind: .message, bytes: Data("A: b\n\nbody".utf8), origin: "t")])
        #expect(String(decoding: mail.mboxrd(), as: UTF8.self).hasSuffix("\nbody\n\n"))
    }
}

import Foundation
