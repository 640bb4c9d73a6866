import Foundation
import Testing
@testable import MboxParser

@Suite struct MIMETests {
    /// Single-message fixtures whose decoded patch must match what `git mailinfo -u`
    /// writes as the patch (golden/mailinfo/<name>.mailinfo.txt, recorded with git). Not here on
    /// purpose: mails with an HTML twin or binary attachments, which mailinfo appends to
    /// the patch and we leave out.
    static let mailinfoFixtures = [
        "linux-mailinglist-archives__linux-watchdog/single-qp__86accf597c0b343fe64dfc69cfbe20603fee0765.eml",
        "linux-mailinglist-archives__linux-watchdog/single-base64__e793b96b8a32df8872dfad49e722be516de04373.eml",
        "linux-mailinglist-archives__linux-watchdog/single-multipart-mixed-attachment__147a9377a15a6353554e35010846b24e94ccaf10.eml",
        "linux-mailinglist-archives__linux-watchdog/single-format-flowed__eb5ff6e267ad9451d2843541500f463c6de2ed69.eml",
        "linux-mailinglist-archives__netfilter-devel/single-scissors__75db4a9ba6998bbcc7d9138cf68efd61aaea7b34.eml",
        "linux-mailinglist-archives__netfilter-devel/single-git-binary-patch__c809ac2cf4bb0a3d6213587e003dbcd1df93a71c.eml",
        "getpatchwork__patchwork/mail/0013-with-utf8-body.mbox",
        "patchew-project__patchew/0008-complex-diffstat.mbox",
    ]

    @Test(arguments: mailinfoFixtures)
    func decodedPatchMatchesGitMailinfo(fixture: String) throws {
        let golden = Fixtures.golden.appendingPathComponent("mailinfo")
            .appendingPathComponent((fixture as NSString).lastPathComponent + ".mailinfo.txt")
        if Fixtures.recording { try Self.recordMailinfo(fixture: fixture, to: golden) }
        let expected = String(decoding: try Data(contentsOf: golden), as: UTF8.self)
        let trimmed = String(expected.reversed().drop(while: { $0 == "\n" }).reversed())
        try #require(trimmed.contains("\n@@ ") || trimmed.contains("GIT binary patch"))
        let message = try Fixtures.message(fixture)
        #expect(message.bodyText.contains(trimmed))
        #expect(MailboxScan.holdsPatch(message))
    }

    static func recordMailinfo(fixture: String, to golden: URL) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var input = Fixtures.path(fixture)
        if String(decoding: try Fixtures.bytes(fixture).prefix(5), as: UTF8.self) == "From " {
            try run(["git", "mailsplit", "-o" + dir.path, input], stdin: nil)
            input = dir.appendingPathComponent("0001").path
        }
        try run(["git", "mailinfo", "-u", dir.appendingPathComponent("msg").path, golden.path], stdin: input)
    }

    static func run(_ arguments: [String], stdin: String?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdin)) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try FileManager.default.createDirectory(at: Fixtures.golden.appendingPathComponent("mailinfo"), withIntermediateDirectories: true)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("\(arguments) failed") }
    }

    @Test func quotedPrintableSoftBreaksAndEscapes() throws {
        let fixture = "linux-mailinglist-archives__linux-watchdog/single-qp__86accf597c0b343fe64dfc69cfbe20603fee0765.eml"
        let message = try Fixtures.message(fixture)
        let raw = String(decoding: message.body, as: UTF8.self)
        #expect(raw.contains("=\n"), "the fixture has soft line breaks")
        let text = message.bodyText
        #expect(!text.contains("=\n"))
        #expect(text.contains("\n-MODULE_ALIAS(\"mcb:16z069\");\n"))
        let decoded = Array("a=3Db=\nc=ZZ=4\r\nd= \ne=".utf8).withUnsafeBufferPointer { TransferEncoding.quotedPrintable($0) }
        #expect(String(decoding: decoded, as: UTF8.self) == "a=bc=ZZ=4\nde")
    }

    @Test func base64ToleratesWhitespaceAndGarbage() {
        let input = Array("SGVs\nbG8s\r\n IH*dvc!mxk\n".utf8)
        let decoded = input.withUnsafeBufferPointer { TransferEncoding.base64($0) }
        #expect(String(decoding: decoded, as: UTF8.self) == "Hello, world")
    }

    @Test func attachmentPatchIsAppendedAndHTMLIgnored() throws {
        let message = try Fixtures.message("linux-mailinglist-archives__linux-watchdog/single-multipart-mixed-attachment__147a9377a15a6353554e35010846b24e94ccaf10.eml")
        let parts = message.parts
        #expect(parts.map(\.contentType) == ["text/plain", "text/html", "application/octet-stream"])
        #expect(parts[2].filename == "0001-watchdog-it87_wdt-add-support-for-IT8733.patch")
        #expect(parts[2].isAttachment)
        let body = message.bodyText
        #expect(!body.contains("<html"))
        #expect(body.contains("diff --git"))
        let plain = parts[0].text
        #expect(body.hasPrefix(plain))
    }

    @Test func alternativeWithHTMLTwinUsesPlainText() throws {
        let patch = try Fixtures.message("getpatchwork__patchwork/mail/0019-multipart-patch.mbox")
        #expect(!patch.bodyText.contains("<div"))
        let comment = try Fixtures.message("getpatchwork__patchwork/mail/0020-multipart-comment.mbox")
        #expect(!comment.bodyText.lowercased().contains("<html"))
        #expect(!comment.bodyText.isEmpty)
    }

    @Test func htmlOnlyMailStillHasABody() throws {
        let message = try MailMessage(raw: "Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/html\n\n<p>hi</p>\n--x--\n")
        #expect(message.bodyText == "<p>hi</p>")
    }

    @Test func attachedMboxInBase64() throws {
        let message = try Fixtures.message("nojb__public-inbox/attached-mbox-with-utf8.eml")
        #expect(message.parts.last?.filename == "foo.mbox")
        #expect(message.bodyText.contains("diff --git"))
        #expect(message.bodyText.unicodeScalars.contains { $0.value > 0x7F })
    }

    @Test func nestedSignedMultipart() throws {
        let message = try Fixtures.message("patchew-project__patchew/0016-nested-multipart.mbox")
        #expect(message.parts.map(\.contentType) == ["text/plain", "application/pgp-signature"])
        #expect(!message.bodyText.contains("BEGIN PGP SIGNATURE"))
        #expect(!message.bodyText.contains("--1cwvPAboUepoK4c116RWTD7TxGR5qugLg"))
    }

    @Test func octetStreamSinglePartPatch() throws {
        let message = try Fixtures.message("patchew-project__patchew/0038-octet-stream.mbox")
        #expect(message.parts.map(\.contentType) == ["application/octet-stream"])
        #expect(MailboxScan.holdsPatch(message))
    }

    @Test func charsetsAreConverted() throws {
        let latin = try Fixtures.message("linux-mailinglist-archives__linux-watchdog/single-rfc2047-iso8859-1-from__ba543e565e43580c49bad896c4d2ea1e426f8b49.eml")
        #expect(latin.from?.name == "René Rebe")
        #expect(latin.bodyText.contains("René Rebe, ExactCODE"))
        #expect(latin.warnings.isEmpty)
        let sample = try Fixtures.messages("git__git/sample.mbox")
        #expect(sample.contains { $0.from?.name == "Lukas Sandström" })
        #expect(sample.contains { $0.from?.name.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) } == true })
        var warnings: [String] = []
        #expect(Charset.decode(Array("\u{1B}$B0!\u{1B}(B".utf8), charset: "ISO-2022-JP", warnings: &warnings) == "亜")
        #expect(Charset.decode([0xF0, 0xD2], charset: "koi8-r", warnings: &warnings) == "Пр")
        #expect(Charset.decode([0x80], charset: "windows-1252", warnings: &warnings) == "€")
        #expect(Charset.decode([0xA4], charset: "iso-8859-15", warnings: &warnings) == "€")
        #expect(Charset.decode([0xB0, 0xA1], charset: "gb2312", warnings: &warnings) == "啊")
        #expect(warnings.isEmpty)
        #expect(Charset.decode([0x61, 0xFF], charset: "x-no-such", warnings: &warnings) == "a\u{FFFD}")
        #expect(warnings == ["unknown charset \"x-no-such\", read as utf-8", "invalid utf-8 bytes replaced"])
    }

    @Test func quotedCRIsContentButTransportCRLFIsNot() throws {
        let messages = try Fixtures.messages("git__git/quoted-cr.mbox")
        #expect(messages.allSatisfy { $0.bodyText.unicodeScalars.contains("\r") }, "base64-encoded CRs stay")
        let plain = try MailMessage(raw: "Subject: x\r\n\r\nline one\r\nline two\r\n")
        #expect(plain.bodyText == "line one\nline two\n")
    }

    @Test func formatFlowedIsUnflowedLikeGitMailinfo() throws {
        let message = try Fixtures.message("linux-mailinglist-archives__linux-watchdog/single-format-flowed__eb5ff6e267ad9451d2843541500f463c6de2ed69.eml")
        #expect(message.bodyFormatFlowed.flowed)
        #expect(message.bodyText.contains("\ndiff --git a/drivers/watchdog/watchdog_dev.c b/drivers/watchdog/watchdog_dev.c\n"))
        let flowed = Array("one \n two\n-- \nsig \nend".utf8)
        #expect(String(decoding: MIMELeaf.unflowed(flowed, delSp: false), as: UTF8.self) == "one two\n-- \nsig end")
        #expect(String(decoding: MIMELeaf.unflowed(flowed, delSp: true), as: UTF8.self) == "onetwo\n-- \nsigend")
    }
}
