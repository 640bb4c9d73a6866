import Foundation
import MboxParser
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// report.md and the summary, from a report built by hand: what they must say about
/// findings an earlier revision already raised.
@Suite struct ReportTextTests {
    static func outcome(dropped: [DropReason]) -> ReviewOutcome {
        let author = MailAddress(name: "A U Thor", email: "author@example.org")
        let patch = ReviewedPatch(
            number: 1, subject: "[PATCH v3 1/1] foo: fix bar", title: "foo: fix bar",
            mail: OriginalMail(messageID: "p1@example.org", subject: "[PATCH v3 1/1] foo: fix bar", references: [],
                               author: author, to: [], cc: [], date: nil),
            body: "", patch: Patch())
        let finding = Finding(file: "foo.c", anchor: "x", category: .logic, severity: .low, comment: "Can this be nil?")
        let review = PatchReview(
            patchIndex: 0, title: "foo: fix bar",
            tasks: [TaskOutcome(taskID: "P1-T1", patchIndex: 0, status: .reviewed(fromCache: false), reportedFindings: 3)],
            skipped: [], findings: [],
            dropped: dropped.map { DroppedFinding(finding: finding, taskID: "P1-T1", reason: $0) },
            usage: TokenUsage(), cost: nil)
        let report = ReviewReport(identity: SeriesIdentity(key: "k", revision: 3), patches: [review], usage: TokenUsage(),
                                  cost: nil, stoppedByBudget: false, apiCalls: 1, cacheHits: 0, warnings: [])
        return ReviewOutcome(seriesTitle: "foo: fix bar", revision: 3, patches: [patch], report: report, drafts: [:])
    }

    @Test func findingsAlreadyRaisedOnAnEarlierRevisionAreCountedPerPatch() throws {
        let outcome = Self.outcome(dropped: [.reportedInEarlierRevision, .reportedInEarlierRevision, .belowSeverityFloor])
        let report = outcome.reportMarkdown
        #expect(report.contains("## 0001 foo: fix bar\n\nNo findings.\n"
            + "- 2 findings not repeated: already raised on an earlier revision\n"
            + "- 1 finding dropped (see findings.json)\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.findingsJSON.utf8)) as? [String: Any])
        let patches = try #require(json["patches"] as? [[String: Any]])
        #expect(patches.first?["droppedAsRaisedEarlier"] as? Int == 2)
        #expect(outcome.reportMarkdown.contains("Nothing: every changed line was reviewed."))
        #expect(outcome.summary(directory: "out").hasSuffix("no drafts: read out/report.md\n"))
    }
}
