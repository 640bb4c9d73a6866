import Foundation
import Testing
@testable import MboxParser

/// Per fixture, what the mail layer reads from every message, in
/// Fixtures/golden/messages/<fixture path with / as __>.messages.json. Review changes like code;
/// re-record with REVIEWBOT_RECORD=1.
@Suite struct GoldenMessagesTests {
    @Test(arguments: Fixtures.mailFiles)
    func fixtureMatchesGolden(fixture: String) throws {
        let actual = try Self.summary(of: fixture)
        let name = fixture.replacingOccurrences(of: "/", with: "__") + ".messages.json"
        let url = Fixtures.golden.appendingPathComponent("messages").appendingPathComponent(name)
        if Fixtures.recording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
        }
        let expected = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(actual == expected, "\(fixture) differs from \(name); if intended, re-record with REVIEWBOT_RECORD=1")
    }

    static func summary(of fixture: String) throws -> String {
        var entries: [[String: Any]] = []
        for item in try Fixtures.read(Fixtures.path(fixture)) {
            switch item {
            case .failure(let error):
                entries.append(["error": error.reason, "number": error.location?.number ?? 0])
            case .success(let message):
                let body = message.bodyText
                let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                var entry: [String: Any] = [
                    "number": message.location.number,
                    "offset": message.location.offset,
                    "rawBytes": message.raw.count,
                    "messageID": message.messageID ?? NSNull(),
                    "inReplyTo": message.inReplyTo ?? NSNull(),
                    "references": message.references,
                    "subject": message.subject ?? NSNull(),
                    "from": message.from.map { "\($0.name) <\($0.email)>" } ?? NSNull(),
                    "to": message.to.map { "\($0.name) <\($0.email)>" },
                    "cc": message.cc.map { "\($0.name) <\($0.email)>" },
                    "dateString": message.dateString ?? NSNull(),
                    "date": message.date.map { ISO8601DateFormatter().string(from: $0) } ?? NSNull(),
                    "parts": message.parts.map { [$0.contentType, $0.transferEncoding, $0.filename ?? ""] },
                    "bodyBytes": body.utf8.count,
                    "bodyLines": lines.count,
                    "bodyFirstLines": Array(lines.prefix(3)),
                    "bodyLastLines": Array(lines.suffix(3)),
                    "isPatch": MailboxScan.holdsPatch(message),
                    "warnings": message.warnings.map(\.reason),
                ]
                if message.bodyFormatFlowed.flowed { entry["formatFlowed"] = true }
                entries.append(entry)
            }
        }
        let data = try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
