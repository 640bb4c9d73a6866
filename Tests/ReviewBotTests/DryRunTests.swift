import Foundation
import PromptLibrary
import Testing
@testable import ReviewBotKit

/// `reviewbot review --dry-run` (and any review without an API key): the plan and every
/// request the run would send, written out; nothing sent.
@Suite struct DryRunTests {
    @Test func writesThePlanAndEveryRequestItWouldSend() async throws {
        let example = EndToEndReviewTests.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/exynos850-wdt-v1.mbox")
        let reader = SourceReader(configuration: Configuration(), environment: ["HOME": "/nonexistent"])
        let prepared = try await PreparedReview.prepare(ReviewSelection(source: example.path), reader: reader,
                                                        library: try PromptLibrary.load())
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rb-dry-\(UUID().uuidString)")
        let job = ReviewJob(prepared: prepared, configuration: Configuration(), outputDirectory: out)
        _ = try job.writeDryRun()

        #expect(Configuration().messagesTransportIsAbsent(environment: [:]))
        let plan = try String(contentsOf: out.appendingPathComponent("plan.txt"), encoding: .utf8)
        #expect(plan.hasPrefix("watchdog: s3c2410: Add Exynos850 support (v1, 7 patches)"))
        let requests = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("prompts").path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(requests == prepared.plan.tasks.map { "\($0.id).json" }.sorted())
        for name in requests {
            let data = try Data(contentsOf: out.appendingPathComponent("prompts/\(name)"))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(json["model"] as? String == Configuration().model.name)
            #expect(json["tool_choice"] as? [String: String] == ["type": "tool", "name": "report_findings"])
            let system = try #require(json["system"] as? [[String: Any]])
            #expect(system.filter { $0["cache_control"] != nil }.count == 2)
            // The third breakpoint ends the series context that opens the user turn.
            let user = try #require((json["messages"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])
            #expect(user.map { $0["cache_control"] != nil } == [true, false])
        }
        // Nothing a review run writes exists: no drafts, no findings.
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("findings.json").path))
    }
}

extension Configuration {
    func messagesTransportIsAbsent(environment: [String: String]) -> Bool {
        (try? messagesTransport(environment: environment)) == nil
    }
}
