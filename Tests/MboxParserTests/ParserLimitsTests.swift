import Foundation
import Testing
@testable import MboxParser

@Suite struct ParserLimitsTests {
    static func separator(_ n: Int) -> String { "From mboxrd@z Thu Jan  1 00:00:00 1970\n" }

    static func message(_ id: Int, headers: String = "", contentType: String = "text/plain", body: String) -> String {
        "From: A <a@example.org>\nSubject: message \(id)\nMessage-ID: <\(id)@example.org>\n\(headers)"
            + "Content-Type: \(contentType)\n\n\(body)\n"
    }

    /// Hostile messages between good ones: each hits its named limit, and the message
    /// after it is read normally.
    @Test func hostileMessagesAreReportedAndReadingGoesOn() throws {
        let giantHeader = "X-Junk: " + String(repeating: "a", count: 1000) + "\n"
            + String(repeating: " " + String(repeating: "b", count: 1000) + "\n", count: 120)
        let manyHeaders = String(repeating: "X-H: 1\n", count: ParserLimits.defaultMaxHeaderCount + 5)
        let depth = ParserLimits.defaultMaxMIMEDepth + 5
        var nested = "innermost\n"
        for level in (0..<depth).reversed() {
            nested = "--b\(level)\nContent-Type: multipart/mixed; boundary=\"b\(level + 1)\"\n\n\(nested)\n--b\(level)--\n"
        }
        let manyParts = String(repeating: "--p\nContent-Type: text/plain\n\nx\n", count: ParserLimits.defaultMaxMIMEParts + 1) + "--p--\n"
        let longLine = "X-Long: " + String(repeating: "c", count: ParserLimits.defaultMaxLineBytes + 1) + "\n"
        let huge = String(repeating: "x\n", count: ParserLimits.defaultMaxMessageBytes / 2 + 10)

        let mails = [
            Self.message(1, body: "fine"),
            Self.message(2, headers: giantHeader, body: "giant header"),
            Self.message(3, headers: manyHeaders, body: "many headers"),
            Self.message(4, contentType: "multipart/mixed; boundary=\"b0\"", body: nested),
            Self.message(5, contentType: "multipart/mixed; boundary=\"p\"", body: manyParts),
            Self.message(6, headers: longLine, body: "long line"),
            Self.message(7, body: huge),
            Self.message(8, body: "still read"),
        ]
        let text = mails.map { Self.separator(0) + $0 + "\n" }.joined()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hostile.mbox")
        try Data(text.utf8).write(to: file)

        let items = try Fixtures.read(file.path)
        #expect(items.count == 8)
        let codes: [MboxParserError.Code?] = items.map { item in
            if case .failure(let error) = item { return error.code }
            return nil
        }
        #expect(codes == [nil, .headerTooLarge, .tooManyHeaders, .mimeTooDeep, .tooManyMIMEParts, .lineTooLong, .messageTooLarge, nil])
        for (index, item) in items.enumerated() {
            if case .failure(let error) = item {
                #expect(error.location?.number == index + 1)
                #expect(error.description.hasPrefix("\(file.path):\(index + 1): "))
            }
        }
        #expect(try items[7].get().subject == "message 8")
        #expect(try items[7].get().bodyText == "still read\n")

        let scan = try MailboxScan.scan(path: file.path)
        #expect(scan.messages == 7, "the oversized message is never parsed, so it is only an error")
        #expect(scan.errors.count == 6)
        #expect(scan.errors.map(\.location?.number) == [2, 3, 4, 5, 6, 7])
    }

    @Test func truncatedMultipartStillReads() throws {
        let text = "Subject: cut\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\nContent-Type: text/plain\n\nhello\n--zz\nContent-Type: text/x-patch\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b"
        let message = try MailMessage(raw: text)
        #expect(message.bodyText.hasPrefix("hello\ndiff --git a/x b/x\n"))
        #expect(MailboxScan.holdsPatch(message))
    }
}
