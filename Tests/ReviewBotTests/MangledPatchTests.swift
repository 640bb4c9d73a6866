import Foundation
import LoopbackServers
import MboxParser
import PromptLibrary
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// A series whose second patch a mail client damaged (every context line starts with a
/// no-break space) and whose third has a hunk header that lies about its counts: no
/// command may call the series fully read or fully reviewed.
@Suite(.serialized) struct MangledPatchTests {
    static func mail(_ number: Int, _ subject: String, body: String) -> String {
        """
        From reviewbot-test Mon Sep 17 00:00:00 2001
        From: A U Thor <author@example.org>
        To: list@vger.example.org
        Subject: \(subject)
        Date: Tue, 1 Jul 2025 10:0\(number):00 +0000
        Message-Id: <mangled-\(number)@example.org>
        \(number == 0 ? "" : "In-Reply-To: <mangled-0@example.org>\nReferences: <mangled-0@example.org>\n")\
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        \(body)

        """
    }

    static func diff(_ file: String, _ hunk: String) -> String {
        "Signed-off-by: A U Thor <author@example.org>\n---\ndiff --git a/\(file) b/\(file)\n"
            + "index 1111111..2222222 100644\n--- a/\(file)\n+++ b/\(file)\n" + hunk + "-- \n2.39.5\n"
    }

    static func mailbox() throws -> String {
        let good = diff("drivers/foo/good.c", "@@ -10,3 +10,4 @@ static int good_probe(void)\n \tint a;\n+\tint b = bar(a);\n \tif (a)\n \t\treturn a;\n")
        let nbsp = "\u{A0}"
        let damaged = diff("drivers/foo/damaged.c", "@@ -10,3 +10,4 @@ static int damaged_probe(void)\n\(nbsp)\tint a;\n+\tint b = baz(a);\n\(nbsp)\tif (a)\n\(nbsp)\t\treturn a;\n")
        let lying = diff("drivers/foo/lying.c", "@@ -1,999999999 +1 @@\n \tint a;\n-\told(a);\n+\tnew1(a);\n+\tnew2(a);\n")
        let text = mail(0, "[PATCH 0/3] foo: three fixes", body: "Three fixes.\n\nA U Thor (3):\n  foo: one\n\n 3 files changed, 3 insertions(+), 1 deletion(-)\n")
            + mail(1, "[PATCH 1/3] foo: good", body: "A good patch.\n\n" + good)
            + mail(2, "[PATCH 2/3] foo: damaged", body: "A damaged patch.\n\n" + damaged)
            + mail(3, "[PATCH 3/3] foo: lying counts", body: "A patch with wrong counts.\n\n" + lying)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rb-mangled-\(UUID().uuidString).mbox")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    var reader: SourceReader { SourceReader(configuration: Configuration(), environment: ["HOME": "/nonexistent"]) }

    @Test func seriesNamesTheMangledPatchAndTheUnreadableLines() async throws {
        let source = try Self.mailbox()
        let outcome = try await SeriesReport.run(.init(source: source), reader: reader)
        #expect(outcome.output.hasPrefix("v1: 3 of 3 patches, complete\n"))
        #expect(outcome.output.contains("  MANGLED 2/3: whitespace-damaged"))
        #expect(outcome.output.contains("unreadable diff in 3/3 `drivers/foo/lying.c`: body line"))
        #expect(outcome.errors.contains("patch 3/3 <mangled-3@example.org>: line "))
    }

    @Test func thePlanSkipsTheMangledPatchAndListsTheUnplacedLines() async throws {
        let prepared = try await PreparedReview.prepare(ReviewSelection(source: try Self.mailbox()), reader: reader,
                                                        library: try PromptLibrary.load())
        #expect(prepared.plan.patches.map { $0.tasks.count } == [1, 0, 1])
        let listing = prepared.planListing
        #expect(listing.contains("0002 foo: damaged  (MANGLED: whitespace-damaged)"))
        #expect(listing.contains("skipped drivers/foo/lying.c: unparsed, 2 changed lines"))
        #expect(listing.contains("     warning: line "))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(prepared.planJSON.utf8)) as? [String: Any])
        let patches = try #require(json["patches"] as? [[String: Any]])
        #expect(patches[1]["mangled"] as? String == "whitespace-damaged")
        #expect((patches[2]["skipped"] as? [[String: Any]])?.contains { $0["reason"] as? String == "unparsed" } == true)
    }

    @Test func theReviewNeverCallsItFullyReviewed() async throws {
        var options = FakeMessagesAPI.Options()
        options.apiKey = ReviewFlowTests.key
        let fake = try FakeMessagesAPI(options: options, script: ScriptedReviewer.reply)
        defer { fake.stop() }
        let out = ReviewFlowTests.directory()
        let outcome = try await ReviewFlowTests.run(ReviewFlowTests.configuration(fake.baseURL),
                                                    selection: ReviewSelection(source: try Self.mailbox()), out: out)
        #expect(outcome.isIncomplete)
        let report = outcome.reportMarkdown
        #expect(report.contains("1 mangled patch not reviewed"))
        #expect(report.contains("**mangled patch** (whitespace-damaged)"))
        #expect(!report.contains("every changed line was reviewed"))
        #expect(report.contains("patch 3, `drivers/foo/lying.c`: unparsed, 2 changed lines"))
        #expect(outcome.drafts[2] == nil)
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("findings.json"))) as? [String: Any])
        #expect(json["complete"] as? Bool == false)
        let skipped = try #require(json["skipped"] as? [[String: Any]])
        #expect(skipped.contains { $0["reason"] as? String == "mangled" && $0["patch"] as? Int == 2 })
        #expect(skipped.contains { $0["reason"] as? String == "unparsed" && $0["patch"] as? Int == 3 })
        #expect(!outcome.summary(directory: out.path).contains("edit the drafts"))
    }

    @Test func scanCountsTheWarnings() throws {
        let result = try MailboxScan.scan(path: try Self.mailbox())
        #expect(result.patches == 3)
        #expect(result.warnings.contains { $0.reason.contains("mangled patch (whitespace-damaged)") })
        #expect(result.warnings.contains { $0.reason.hasPrefix("diff line ") })
        #expect(result.json.hasSuffix(", \"warnings\": \(result.warnings.count)}"))
    }
}
