import Foundation
import Testing
@testable import MboxParser

@Suite struct MailMessageHeaderTests {
    /// RFC 2047 section 8's examples, as git's t5100 carries them.
    @Test func rfc2047Samples() throws {
        let messages = try Fixtures.messages("git__git/rfc2047-samples.mbox")
        try #require(messages.count == 11)
        #expect(messages[0].from == MailAddress(name: "Keith Moore", email: "moore@cs.utk.edu"))
        #expect(messages[0].to == [MailAddress(name: "Keld Jørn Simonsen", email: "keld@dkuug.dk")])
        #expect(messages[0].cc == [MailAddress(name: "André Pirard", email: "PIRARD@vm1.ulg.ac.be")])
        #expect(messages[0].subject == "If you can read this you understand the example.")
        #expect(messages[1].from?.name == "Olle Järnefors")
        #expect(messages[2].from?.name == "Patrik Fältström")
        #expect(messages.suffix(7).map(\.subject) == ["(a)", "(a b)", "(ab)", "(ab)", "(ab)", "(a b)", "(a b)"])
    }

    @Test func encodedWordsInAnyCharsetAndMalformedOnes() throws {
        let raw = """
            Subject: =?ISO-2022-JP?B?GyRCMEIbKEI=?= =?utf-8?q?caf=C3=A9?= =?koi8-r?b?8NLJ18XU?=
            From: =?utf-8?b?UmVuw6k=?= Rebe <rene@example.org>
            To: "Doe, John" <john@example.org>, jane@example.org (Jane Roe),
             Team: a@example.org, "b" <b@example.org>;, <@relay:c@example.org>
            Cc: undisclosed-recipients:;
            X-Broken: =?utf-8?q?no end and =?bogus?x?y?= and =?utf-8?b?w6k?=
            Message-ID:
            Message-ID: <first@example.org>
            In-Reply-To: <parent@example.org> (some comment)
            References: <a@x> <b@x>
            References: <b@x>
             <c@x>

            body
            """
        let message = try MailMessage(raw: raw)
        #expect(message.subject == "安caféПривет", "adjacent encoded-words join without the blanks between them")
        #expect(message.from == MailAddress(name: "René Rebe", email: "rene@example.org"))
        #expect(message.to == [
            MailAddress(name: "Doe, John", email: "john@example.org"),
            MailAddress(name: "Jane Roe", email: "jane@example.org"),
            MailAddress(name: "", email: "a@example.org"),
            MailAddress(name: "b", email: "b@example.org"),
            MailAddress(name: "", email: "c@example.org"),
        ])
        #expect(message.cc.isEmpty)
        #expect(message.header("x-broken") == "=?utf-8?q?no end and =?bogus?x?y?= and é")
        #expect(message.messageID == "first@example.org")
        #expect(message.inReplyTo == "parent@example.org")
        #expect(message.references == ["a@x", "b@x", "c@x"])
        #expect(message.headers("references").count == 2)
        #expect(message.header("MESSAGE-id") == "")
    }

    @Test func datesIncludingObsoleteForms() {
        let cases: [(String, TimeInterval?)] = [
            ("Thu, 31 Mar 2022 09:29:51 -0400", 1_648_733_391),
            ("31 Mar 2022 13:29:51 +0000", 1_648_733_391),
            ("Thu, 31 Mar 22 13:29 GMT", 1_648_733_340),
            ("Sat, 27 Aug 2005 23:07:49 -0700 (PDT)", 1_125_209_269),
            ("Sat, 27 Aug 105 23:07:49 PDT", 1_125_209_269),
            ("Mon Sep 17 00:00:00 2001", 1_000_684_800),
            ("Thu,  1 Jan 1970 00:00:00 +0000", 0),
            ("not a date", nil),
            ("Thu, 31 Foo 2022 09:29:51 -0400", nil),
        ]
        for (text, expected) in cases {
            #expect(MailDate.parse(text)?.timeIntervalSince1970 == expected, "\(text)")
        }
    }

    @Test func rawUTF8AndInvalidBytesInHeaders() throws {
        let utf8 = try Fixtures.message("getpatchwork__patchwork/mail/0014-with-unencoded-utf8-headers.mbox")
        #expect(utf8.warnings.isEmpty)
        #expect(utf8.headers.contains { $0.value.unicodeScalars.contains { $0.value > 0x7F } })

        let invalid = try Fixtures.message("getpatchwork__patchwork/mail/0012-invalid-header-char.mbox")
        #expect(invalid.warnings.contains { $0.reason.contains("invalid utf-8") })
        #expect(invalid.warnings.allSatisfy { $0.location == invalid.location })
        #expect(invalid.subject?.isEmpty == false)

        let mixed = try Fixtures.messages("getpatchwork__patchwork/mail/0015-with-invalid-utf8-headers.mbox")
        #expect(mixed.allSatisfy { $0.from?.email.isEmpty == false })
    }

    @Test func unknownCharsetWarnsAndFallsBackToUTF8() throws {
        let message = try Fixtures.message("getpatchwork__patchwork/mail/0010-invalid-charset.mbox")
        #expect(message.warnings.contains { $0.reason.hasPrefix("unknown charset") })
        #expect(message.bodyText.contains("diff "))
        let patchew = try Fixtures.message("patchew-project__patchew/0007-invalid-charset.mbox")
        #expect(!patchew.bodyText.isEmpty)
    }

    @Test func headerFoldingKeepsRawValue() throws {
        let message = try MailMessage(raw: "Subject: a long\r\n\tsubject line\r\nX-Empty:\r\n\r\nbody\r\n")
        let subject = try #require(message.headers.first)
        #expect(subject.value == "a long\tsubject line")
        #expect(subject.rawValue == Array(" a long\r\n\tsubject line".utf8))
        #expect(message.header("x-empty") == "")
        #expect(message.bodyText == "body\n")
    }
}
