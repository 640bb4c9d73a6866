import Foundation
import Testing
@testable import MboxParser

@Suite struct MailboxReadingTests {
    /// Files where git's separator rule (time + year) deliberately disagrees with Python,
    /// which splits at every line starting "From ".
    static let pythonCountExceptions: [String: (count: Int, why: String)] = [
        "git__git/sample.mboxrd": (2, "body line 'From not mangled but ...' has no time/year: not a separator for git"),
        "git__git/0001mboxrd": (1, "git's expected mailinfo output, not an mbox: its 'From ...' prose lines are body"),
    ]

    @Test func messageCountsMatchPythonMailbox() throws {
        let data = try Data(contentsOf: Fixtures.golden.appendingPathComponent("python-mailbox-counts.json"))
        let golden = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let counts = try #require(golden["counts"] as? [String: Int])
        #expect(Set(counts.keys) == Set(Fixtures.mailFiles), "golden lists every fixture; re-run the generator")
        for (file, python) in counts.sorted(by: { $0.key < $1.key }) {
            let items = try Fixtures.read(Fixtures.path(file))
            let bytes = try Fixtures.bytes(file)
            let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
            let isMbox = text.drop(while: { $0.isWhitespace }).hasPrefix("From ")
            if let exception = Self.pythonCountExceptions[file] {
                #expect(items.count == exception.count, "\(file): \(exception.why)")
            } else if isMbox {
                #expect(items.count == python, "\(file): python mailbox counts \(python)")
            } else {
                // Python reads a file without a leading From_ line as 0 messages (or splits
                // at a body line); it is one message.
                #expect(items.count == 1, "\(file) is a single message")
            }
            for item in items { #expect(throws: Never.self) { try item.get() } }
        }
    }

    @Test func mboxrdRoundTripIsByteExact() throws {
        let pairs = [
            ("linux-mailinglist-archives__linux-watchdog/thread-imx-sc-wdt-From-line-in-body-reviewed.mbox",
             "linux-mailinglist-archives__linux-watchdog/single-from-line-in-body__91280999f048928da634b635282d528510fd76be.eml"),
            ("linux-mailinglist-archives__netfilter-devel/mboxrd-single-stable-gtFrom-double-escaped.mbox",
             "linux-mailinglist-archives__netfilter-devel/single-stable-review-gtFrom-in-body__cc78635395422664cdf0d8e96ea7ab1ce48562ce.eml"),
        ]
        for (mbox, eml) in pairs {
            let first = try #require(try Fixtures.messages(mbox).first)
            #expect(first.raw == (try Fixtures.bytes(eml)), "\(mbox) message 1 equals \(eml)")
        }
    }

    @Test func mboxrdUnescapesExactlyOneQuote() throws {
        let messages = try Fixtures.messages("git__git/sample.mboxrd")
        try #require(messages.count == 2)
        // git keeps the mbox's separating blank line in each split message; we drop it.
        let expected1 = try Fixtures.bytes("git__git/0001mboxrd")
        #expect(messages[0].body + [0x0A] == expected1)
        let expected2 = String(decoding: try Fixtures.bytes("git__git/0002mboxrd"), as: UTF8.self)
        #expect(expected2.hasSuffix(messages[1].bodyText + "\n"))
        #expect(messages[1].bodyText.contains("\n>From\n"))
        // The reply quotes the line as ">>From" (">>>From" in the mboxrd); its flowed "> "
        // line before is joined to it, as git mailinfo does.
        let reply = try Fixtures.messages("linux-mailinglist-archives__linux-watchdog/thread-imx-sc-wdt-From-line-in-body-reviewed.mbox")[1]
        #expect(reply.body.starts(with: Array("On 8/1/24".utf8)))
        #expect(String(decoding: reply.body, as: UTF8.self).contains("\n> \n>>From experiments"))
        #expect(reply.bodyText.contains("\n> >>From experiments"))
    }

    @Test func mboxoLeavesQuotedFromAlone() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "From abc Mon Sep 17 00:00:00 2001\nSubject: a\n\n>From the start\n>>From two\n\n"
            + "From def Mon Sep 17 00:00:00 2001\nSubject: b\n\nbody\n"
        let file = dir.appendingPathComponent("x.mbox")
        try Data(text.utf8).write(to: file)
        let messages = try Fixtures.read(file.path).map { try $0.get() }
        #expect(messages.map(\.subject) == ["a", "b"])
        #expect(messages[0].bodyText == ">From the start\n>>From two\n")
        let forced = try Fixtures.read(file.path, options: .init(format: .mboxrd)).map { try $0.get() }
        #expect(forced[0].bodyText == "From the start\n>From two\n")
    }

    @Test func crlfMboxReadsLikeLF() throws {
        let file = "linux-mailinglist-archives__linux-watchdog/thread-single-patch-renesas-wdt-reviewed-applied.mbox"
        let lf = try Fixtures.bytes(file)
        var crlf: [UInt8] = []
        for b in lf { if b == 0x0A { crlf.append(0x0D) }; crlf.append(b) }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("crlf.mbox")
        try Data(crlf).write(to: url)
        let plain = try Fixtures.messages(file)
        let windows = try Fixtures.read(url.path).map { try $0.get() }
        #expect(windows.count == plain.count)
        for (a, b) in zip(plain, windows) {
            var expected: [UInt8] = []
            for byte in a.raw { if byte == 0x0A { expected.append(0x0D) }; expected.append(byte) }
            #expect(b.raw == expected, "raw bytes keep their CRLF")
            #expect(b.subject == a.subject)
            #expect(b.messageID == a.messageID)
            #expect(b.bodyText == a.bodyText, "transport CRLF reads as LF")
        }
    }

    @Test func singleFilesAndLooseSeparators() throws {
        let patch = try Fixtures.message("nojb__public-inbox/0001.patch")
        #expect(patch.subject?.isEmpty == false)
        #expect(MailboxScan.holdsPatch(patch))
        // Blank lines before the first From_ line (git's t5100 sample) are skipped.
        #expect(try Fixtures.messages("git__git/sample.mbox").count == 18)
        // patchew's `From A` separators: not git's rule, but blank line + header after.
        let patchew = try Fixtures.messages("patchew-project__patchew/0003-single-patch-reviewed.mbox")
        #expect(patchew.count == 3)
        #expect(patchew.allSatisfy { $0.messageID != nil })
    }

    @Test func locationsAreOneBasedWithByteOffsets() throws {
        let file = Fixtures.path("linux-mailinglist-archives__linux-watchdog/thread-RESEND-PATCHv3-nospace.mbox")
        let bytes = try Fixtures.bytes("linux-mailinglist-archives__linux-watchdog/thread-RESEND-PATCHv3-nospace.mbox")
        let messages = try Fixtures.read(file).map { try $0.get() }
        #expect(messages.map(\.location.number) == Array(1...messages.count))
        for message in messages {
            #expect(message.location.file == file)
            let offset = message.location.offset
            #expect(Array(bytes[offset..<(offset + 64)]) == Array(message.raw.prefix(64)))
            #expect(bytes[offset - 1] == 0x0A)
        }
    }

    @Test func directoriesAndMaildirs() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("b/nested"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: Fixtures.path("nojb__public-inbox/0001.patch"), toPath: dir.appendingPathComponent("b/nested/z.patch").path)
        try fm.copyItem(atPath: Fixtures.path("git__git/sample.mboxrd"), toPath: dir.appendingPathComponent("a.mbox").path)
        try Data("not mail".utf8).write(to: dir.appendingPathComponent("README.md"))
        let items = try Fixtures.read(dir.path).map { try $0.get() }
        #expect(items.map { ($0.location.file as NSString).lastPathComponent } == ["a.mbox", "a.mbox", "z.patch"])

        let maildir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: maildir) }
        for sub in ["cur", "new", "tmp"] { try fm.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true) }
        let eml = "linux-mailinglist-archives__linux-watchdog/single-qp__86accf597c0b343fe64dfc69cfbe20603fee0765.eml"
        try fm.copyItem(atPath: Fixtures.path(eml), toPath: maildir.appendingPathComponent("new/1700000000.1.host").path)
        try fm.copyItem(atPath: Fixtures.path("nojb__public-inbox/0001.patch"), toPath: maildir.appendingPathComponent("cur/1600000000.1.host:2,S").path)
        try fm.copyItem(atPath: Fixtures.path("nojb__public-inbox/0001.patch"), toPath: maildir.appendingPathComponent("tmp/partial").path)
        let mail = try Fixtures.read(maildir.path).map { try $0.get() }
        #expect(mail.map { ($0.location.file as NSString).lastPathComponent } == ["1600000000.1.host:2,S", "1700000000.1.host"])
    }

    @Test func missingSourceThrows() {
        #expect(throws: MboxParserError.self) { try Mailbox(path: "/nonexistent/mbox") }
        #expect(throws: MboxParserError.self) { try MailboxScan.scan(path: "/nonexistent/mbox") }
    }
}
