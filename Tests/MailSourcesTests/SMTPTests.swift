import CurlKit
import Foundation
@testable import LoopbackServers
import Testing

/// CurlClient.sendMail against the loopback SMTP server.
@Suite struct SMTPTests {
    let client = CurlClient()
    let password = "smtp-Pa55-\(UUID().uuidString.prefix(8))"

    func server(_ smtp: LoopbackSMTPServer, password: String? = nil, allowPlaintext: Bool = true) -> SMTPServer {
        SMTPServer(url: smtp.url, username: "reviewer", password: password ?? self.password,
                   allowPlaintext: allowPlaintext, timeouts: TransferTimeouts(connect: 2, total: 10))
    }

    /// Lines that need dot-stuffing, a lone dot, UTF-8 and LF endings as on disk.
    let message = Data("""
        From: Reviewer <reviewer@example.org>
        To: Author <author@example.com>
        Subject: Re: [PATCH] watchdog: fix the thing
        Message-ID: <reply-1@example.org>

        .starts with a dot
        ..two dots
        .
        Grüße, and a line after the lone dot
        > From quoted

        """.utf8)

    @Test func envelopeAndBytesArriveExactly() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["reviewer": password]))
        defer { smtp.stop() }
        try await client.sendMail(message, from: "reviewer@example.org",
                                  to: ["author@example.com", "list@vger.example.org"], via: server(smtp))
        let envelope = try #require(smtp.envelopes.first)
        #expect(smtp.envelopes.count == 1)
        #expect(envelope.sender == "reviewer@example.org")
        #expect(envelope.recipients == ["author@example.com", "list@vger.example.org"])
        #expect(envelope.authenticatedUser == "reviewer")
        // CRLF on the wire, and the server's undoing of dot-stuffing gives back every line.
        #expect(envelope.message == LineEndings.crlf(message))
        #expect(smtp.receivedCommands.contains("AUTH PLAIN") || smtp.receivedCommands.contains("AUTH PLAIN <sasl data>"))
        #expect(smtp.receivedCommands.last == "QUIT")
    }

    @Test func authLoginWorksWhenItIsTheOnlyMechanism() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["reviewer": password], mechanisms: ["LOGIN"]))
        defer { smtp.stop() }
        try await client.sendMail(message, from: "reviewer@example.org", to: ["author@example.com"], via: server(smtp))
        #expect(smtp.envelopes.map(\.authenticatedUser) == ["reviewer"])
        #expect(smtp.receivedCommands.contains { $0.hasPrefix("AUTH LOGIN") })
    }

    @Test func refusedLoginIsOneLineNamingTheCauseWithoutThePassword() async throws {
        for policy in [LoopbackSMTPServer.Policy(users: ["reviewer": password], rejectAuthentication: true),
                       LoopbackSMTPServer.Policy(users: ["reviewer": "another-password"])] {
            let smtp = try LoopbackSMTPServer(policy: policy)
            defer { smtp.stop() }
            let error = await #expect(throws: CurlError.self) {
                try await client.sendMail(message, from: "reviewer@example.org", to: ["author@example.com"], via: server(smtp))
            }
            #expect(error?.description == "login denied by 127.0.0.1:\(smtp.port)")
            #expect(error?.kind == .loginDenied)
            #expect(smtp.envelopes.isEmpty)
            #expect(smtp.receivedCommands.contains("MAIL FROM:<reviewer@example.org>") == false)
        }
    }

    @Test func refusedRecipientIsOneLineAndNothingIsAccepted() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["reviewer": password],
                                                        rejectedRecipients: ["gone@example.com"]))
        defer { smtp.stop() }
        let error = await #expect(throws: CurlError.self) {
            try await client.sendMail(message, from: "reviewer@example.org",
                                      to: ["author@example.com", "gone@example.com"], via: server(smtp))
        }
        let text = try #require(error?.description)
        #expect(text.hasPrefix("smtp server 127.0.0.1:\(smtp.port) refused the message"), "\(text)")
        #expect(text.contains("550"), "\(text)")
        #expect(!text.contains("\n") && !text.contains(password))
        #expect(error?.kind == .protocolFailure)
        #expect(smtp.envelopes.isEmpty)
    }

    @Test func plaintextIsRefusedUnlessAllowed() async throws {
        let smtp = try LoopbackSMTPServer(policy: .init(users: ["reviewer": password]))
        defer { smtp.stop() }
        let error = await #expect(throws: CurlError.self) {
            try await client.sendMail(message, from: "reviewer@example.org", to: ["author@example.com"],
                                      via: server(smtp, allowPlaintext: false))
        }
        #expect(error?.kind == .tls)
        #expect(!(error?.description.contains(password) ?? true))
        // Nothing, not even the credentials, went over the unencrypted session.
        #expect(!smtp.receivedCommands.contains { $0.hasPrefix("AUTH") })
        #expect(smtp.envelopes.isEmpty)
    }

    @Test func sessionStateMachineFollowsRFC5321() {
        var session = SMTPSession(policy: .init(users: ["u": "p"]))
        func say(_ line: String) -> String { session.receive(Data(line.utf8)).reply }
        #expect(say("MAIL FROM:<a@b>").hasPrefix("503 "))
        #expect(say("EHLO client.example").contains("250-AUTH PLAIN LOGIN\r\n"))
        #expect(say("MAIL FROM:<a@b>").hasPrefix("530 "))
        #expect(say("AUTH PLAIN " + Data("\u{0}u\u{0}p".utf8).base64EncodedString()).hasPrefix("235 "))
        #expect(say("RCPT TO:<c@d>").hasPrefix("503 "))
        #expect(say("MAIL FROM:<a@b> SIZE=10").hasPrefix("250 "))
        #expect(say("DATA").hasPrefix("503 "))
        #expect(say("RCPT TO:<c@d>").hasPrefix("250 "))
        #expect(say("RSET").hasPrefix("250 "))
        #expect(say("DATA").hasPrefix("503 "))
        #expect(say("MAIL FROM:<>").hasPrefix("250 "))
        #expect(say("RCPT TO:<c@d>").hasPrefix("250 "))
        #expect(say("DATA").hasPrefix("354 "))
        #expect(say("..a").isEmpty)
        #expect(say(String(repeating: "x", count: 999)).isEmpty)
        let end = session.receive(Data(".".utf8))
        #expect(end.reply.hasPrefix("554 "))  // the 999-octet line (1001 with CRLF) is too long
        #expect(end.envelope == nil)
        #expect(say("QUIT") == "221 2.0.0 Bye\r\n")
    }
}
