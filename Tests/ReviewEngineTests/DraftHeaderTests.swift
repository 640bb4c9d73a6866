import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

/// What reaches a draft's headers from the original mail was decoded from a stranger's
/// bytes. These mails are parsed by our mail reader exactly as a real one would be, and
/// the drafts are read back by it.
@Suite struct DraftHeaderTests {
    static let comment = DraftComment(anchor: .diff(file: 0, hunk: 0, line: 5), severity: "medium",
                                      category: "error-handling", text: "Can y_hw_init() fail here?")

    /// A patch mail with `headers` in front of SoundPatch's body, as the mail reader gives it.
    static func original(_ headers: String) throws -> OriginalMail {
        let raw = headers + "\n\n" + SoundPatch.body + "\n"
        let message = try MailMessage(raw: raw)
        return OriginalMail(messageID: message.messageID ?? "", subject: message.subject ?? "",
                            references: message.references, author: message.from ?? MailAddress(name: "", email: ""),
                            to: message.to, cc: message.cc, date: message.dateString)
    }

    static func draft(_ mail: OriginalMail) -> ReviewDraft {
        ReviewDraft.make(ReviewDraftInput(mail: mail, title: "ALSA: y: check hw init", body: SoundPatch.body,
                                          patch: SoundPatch.patch, comments: [comment]),
                         settings: SoundPatch.settings, date: Date(timeIntervalSince1970: 1_735_725_600))
    }

    static func headerLines(_ mail: String) -> [Substring] {
        mail.components(separatedBy: "\n\n")[0].split(separator: "\n")
    }

    /// No byte of the header block may be a control character, and every line is a field
    /// or a continuation.
    static func expectCleanHeaders(_ mail: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in headerLines(mail) {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(line)",
                    sourceLocation: sourceLocation)
            #expect(line.first == " " || line.contains(":"), "\(line)", sourceLocation: sourceLocation)
            #expect(line.utf8.count <= 998, sourceLocation: sourceLocation)
        }
    }

    @Test func anEncodedCRLFInTheSubjectAddsNoHeader() throws {
        let mail = try Self.original("""
            From: Dev Eloper <dev@example.org>
            To: Takashi Iwai <tiwai@suse.de>
            Subject: =?UTF-8?Q?[PATCH]_ALSA:_y:_check_hw_init=0D=0ABcc:_attacker@evil.example?=
            Message-ID: <20250101-y-v1-1-abc@example.org>
            """)
        #expect(mail.subject.contains("\r\nBcc: attacker@evil.example"), "the reader decodes what the sender wrote")
        let draft = Self.draft(mail)
        Self.expectCleanHeaders(draft.mail)
        let reread = try MailMessage(raw: draft.mail)
        #expect(reread.headers("bcc").isEmpty)
        #expect(!Self.headerLines(draft.mail).contains { $0.lowercased().hasPrefix("bcc") })
        #expect(reread.subject == "Re: [PATCH] ALSA: y: check hw init Bcc: attacker@evil.example")
        #expect(reread.to.map(\.email) == ["dev@example.org"])
        #expect(reread.cc.map(\.email) == ["tiwai@suse.de"])
    }

    @Test func anEncodedBlankLineDoesNotEndTheHeaderBlock() throws {
        let mail = try Self.original("""
            From: Dev Eloper <dev@example.org>
            Subject: =?UTF-8?Q?[PATCH]_x=0A=0A?=body starts here
            Message-ID: <20250101-y-v1-1-abc@example.org>
            References: <20250101-y-v1-0-abc@example.org>
            """)
        let draft = Self.draft(mail)
        Self.expectCleanHeaders(draft.mail)
        let reread = try MailMessage(raw: draft.mail)
        #expect(reread.messageID == draft.messageID)
        #expect(reread.inReplyTo == "20250101-y-v1-1-abc@example.org")
        #expect(reread.references == ["20250101-y-v1-0-abc@example.org", "20250101-y-v1-1-abc@example.org"])
        #expect(reread.subject == "Re: [PATCH] x body starts here")
    }

    @Test func displayNamesAreRebuiltFromTheirPartsAndQuoted() throws {
        let mail = try Self.original(#"""
            From: "Doe, Jane \"JD\" <boss@evil.example>; x:" <jane@example.org>
            To: =?UTF-8?Q?M=C3=BCller=2C_=22K=22_=0D=0ACc=3A_x=40evil.example?= <mueller@example.org>,
             =?UTF-8?B?Ym9iIDxib2JAZXZpbC5leGFtcGxlPg==?= <bob@example.org>
            Cc: list@vger.kernel.org
            Subject: [PATCH] x
            Message-ID: <20250101-y-v1-1-abc@example.org>
            """#)
        #expect(mail.author.name == #"Doe, Jane "JD" <boss@evil.example>; x:"#)
        let draft = Self.draft(mail)
        Self.expectCleanHeaders(draft.mail)
        let reread = try MailMessage(raw: draft.mail)
        #expect(reread.to == [MailAddress(name: #"Doe, Jane "JD" <boss@evil.example>; x:"#, email: "jane@example.org")])
        #expect(reread.cc == [MailAddress(name: #"Müller, "K" Cc: x@evil.example"#, email: "mueller@example.org"),
                              MailAddress(name: "bob <bob@evil.example>", email: "bob@example.org"),
                              MailAddress(name: "", email: "list@vger.kernel.org")])
        #expect(draft.mail.contains(#"To: "Doe, Jane \"JD\" <boss@evil.example>; x:" <jane@example.org>"#))
    }

    @Test func anAddressThatCannotBeWrittenSafelyIsLeftOutWithANote() throws {
        var mail = try Self.original("""
            From: Dev Eloper <dev@example.org>
            To: Takashi Iwai <tiwai@suse.de>
            Subject: [PATCH] x
            Message-ID: <20250101-y-v1-1-abc@example.org>
            """)
        mail.cc = [MailAddress(name: "Evil", email: "a@b.org>\r\nBcc: c@evil.example"),
                   MailAddress(name: "Spaces", email: "two words@example.org"),
                   MailAddress(name: "", email: "linux-sound@vger.kernel.org")]
        let draft = Self.draft(mail)
        Self.expectCleanHeaders(draft.mail)
        let reread = try MailMessage(raw: draft.mail)
        #expect(reread.cc.map(\.email) == ["tiwai@suse.de", "linux-sound@vger.kernel.org"])
        #expect(draft.notes.count == 2)
        #expect(draft.notes.allSatisfy { $0.hasPrefix("left out of the reply:") })
        #expect(!draft.notes.joined().contains("\r"))
    }

    @Test func aPatchWithoutMessageIDGivesAReplyThatDoesNotPretendToThread() throws {
        let mail = try Self.original("""
            From: Dev Eloper <dev@example.org>
            Subject: [PATCH] x
            """)
        #expect(mail.messageID.isEmpty)
        let draft = Self.draft(mail)
        let head = draft.mail.components(separatedBy: "\n\n")[0]
        #expect(!head.contains("In-Reply-To"))
        #expect(!head.contains("References"))
        #expect(!head.contains("<>"))
        #expect(!draft.reviewInline.contains("Link:"))
        #expect(draft.notes.contains { $0.contains("has no usable Message-ID") })
        // Ids that are not ids are dropped the same way.
        var weird = mail
        weird.messageID = "a b@c"
        weird.references = ["ok@example.org", "bad\u{1B}@x"]
        #expect(!Self.draft(weird).mail.contains("In-Reply-To"))
        weird.messageID = "fine@example.org"
        let threaded = try MailMessage(raw: Self.draft(weird).mail)
        #expect(threaded.references == ["ok@example.org", "fine@example.org"])
    }

    @Test func longAndNonASCIISubjectsFoldAndDecodeBackExactly() throws {
        let subjects = [
            "[PATCH v3 07/12] " + String(repeating: "drivers: watchdog: a very long subject line ", count: 6) + "end",
            "[PATCH] " + String(repeating: "x", count: 400),
            "[PATCH] caf\u{e9} na\u{ef}ve \u{1F600} " + String(repeating: "\u{65E5}\u{672C}", count: 40),
            "[PATCH] =?UTF-8?Q?not_an_encoded_word?= literal",
            "[PATCH] e\u{301}" + String(repeating: "\u{301}", count: 40),
        ]
        for subject in subjects {
            var mail = try Self.original("From: Dev Eloper <dev@example.org>\nMessage-ID: <a@b>")
            mail.subject = subject
            let draft = Self.draft(mail)
            Self.expectCleanHeaders(draft.mail)
            let reread = try MailMessage(raw: draft.mail)
            #expect(reread.subject == "Re: " + subject)
        }
        // Folded at spaces within 78 columns where the words allow it.
        var mail = try Self.original("From: Dev Eloper <dev@example.org>\nMessage-ID: <a@b>")
        mail.subject = subjects[0]
        for line in Self.headerLines(Self.draft(mail).mail) {
            #expect(line.count <= 78, "\(line)")
        }
    }

    @Test func addrSpecs() {
        for good in ["a@b.org", "first.last+tag@sub.example.org", "x!#$%&'*+/=?^_`{|}~-y@example.org", "a@[127.0.0.1]"] {
            #expect(MailHeaderText.isAddrSpec(good), "\(good)")
        }
        for bad in ["", "a", "@b.org", "a@", "a b@c.org", "a@b c.org", "\"a b\"@c.org", "a@b.org>", "<a@b.org>",
                    "a..b@c.org", ".a@b.org", "a@b..org", "a@b.org\r\n", "a,b@c.org", "a@b.org;", "caf\u{e9}@b.org",
                    "a@" + String(repeating: "b", count: 260)] {
            #expect(!MailHeaderText.isAddrSpec(bad), "\(bad)")
        }
    }

    @Test func singleLineReplacesEveryControlCharacter() {
        #expect(MailHeaderText.singleLine("a\r\nb\u{0}c\u{1B}[2Kd\u{85}e\u{7F}f\tg  h ") == "a b c [2Kd e f g h")
    }
}
