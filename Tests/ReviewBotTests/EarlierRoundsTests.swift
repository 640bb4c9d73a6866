import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import PromptLibrary
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// A v2 reviewed with the v1 thread on the lore stand-in: two human comments on v1, one
/// addressed by v2 and one ignored.
@Suite(.serialized) struct EarlierRoundsTests {
    static let apiKey = "test-key-evidence-1234"

    /// The model as a test scripts it: for the v2 patch's task it raises Bob's ignored
    /// comment, naming him and linking his message; nothing else.
    static func script(loreBase: String) -> FakeMessagesAPI.Script {
        { call in
            switch call.tool {
            case "report_findings":
                guard call.userText.contains("+\tclk_prepare_enable(priv->clk);") else {
                    return .tool(json: #"{"findings":[]}"#)
                }
                let finding: [String: Any] = [
                    "file": "drivers/foo/foo.c", "anchor": "\tclk_prepare_enable(priv->clk);",
                    "category": "error-handling", "severity": "medium",
                    "comment": "Bob Maintainer asked on v1 (\(loreBase)/r/\(EvidenceThreads.bobID)) whether the "
                        + "return value of clk_prepare_enable() should be checked; this revision still ignores it. "
                        + "Can clk_prepare_enable() fail here and leave the device without its clock?",
                    "evidence": "v1-C2: the call's result is still unused",
                ]
                let body = try! JSONSerialization.data(withJSONObject: ["findings": [finding]], options: [.sortedKeys])
                return .tool(input: body)
            default:
                return FakeMessagesAPI.defaultReply(call)
            }
        }
    }

    struct Run {
        var outcome: ReviewOutcome
        var fake: FakeMessagesAPI
        var directory: URL
        var lore: HTTPServer
    }

    static func review(v2: Data = EvidenceThreads.v2Thread(), store: StateStore? = nil,
                       script: ((String) -> FakeMessagesAPI.Script)? = nil) async throws -> Run {
        let fake = FakeLore(threads: [.init(list: "linux-foo", mbox: EvidenceThreads.v1Thread),
                                      .init(list: "linux-foo", mbox: v2)])
        let lore = try fake.start()
        var options = FakeMessagesAPI.Options()
        options.apiKey = apiKey
        let api = try FakeMessagesAPI(options: options, script: (script ?? Self.script)(lore.baseURL))
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-evidence-\(UUID().uuidString)")
        var config = Configuration()
        config.lore.url = lore.baseURL
        config.lore.cache = false
        config.syzbot.enabled = false
        config.model.baseURL = api.baseURL
        config.model.concurrency = 1
        config.drafts.from = "Rev Iewer <rev@example.net>"
        let reader = SourceReader(configuration: config, environment: ["HOME": home.path])
        let prepared = try await PreparedReview.prepare(
            ReviewSelection(source: "\(lore.baseURL)/linux-foo/\(EvidenceThreads.v2ID)/"), reader: reader,
            library: try PromptLibrary.load(), evidenceStore: store)
        let out = home.appendingPathComponent("out")
        let job = ReviewJob(prepared: prepared, configuration: config, outputDirectory: out)
        let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": apiKey]))
        let outcome = try await job.run(transport: transport, store: store, date: Date(timeIntervalSince1970: 1_700_000_000))
        return Run(outcome: outcome, fake: api, directory: out, lore: lore)
    }

    @Test func theV2RequestCarriesBothCommentsAndTheIgnoredOneBecomesAFinding() async throws {
        let run = try await Self.review()
        defer { run.fake.stop(); run.lore.stop() }

        // Both human comments reach the v2 patch's review request; the robot's and the bare
        // Reviewed-by do not.
        let reviews = run.fake.exchanges.filter { $0.call?.tool == "report_findings" }
        let request = try #require(reviews.first.map { String(decoding: $0.body, as: UTF8.self) })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any])
        let text = Self.allText(json)
        #expect(text.contains("Can this use devm_clk_get()?"))
        #expect(text.contains("This ignores the return value of clk_prepare_enable()"))
        #expect(text.contains("v1-C1: Rita Reviewer <rita@example.org> on v1, \(run.lore.baseURL)/r/\(EvidenceThreads.ritaID)"))
        #expect(text.contains("v1-C2: Bob Maintainer <bob@example.org> on v1"))
        #expect(text.contains("was this addressed in this revision?"))
        #expect(text.contains("notes below ---\nv2: use devm_clk_get() (Rita)"))
        #expect(!text.contains("kernel test robot noticed"))
        // The material is fenced like the rest of the patch.
        #expect(text.contains("<<<BEGIN DATA"))

        // The ignored comment came back as a finding naming Bob, and was drafted.
        let patch = try #require(run.outcome.report.patches.first)
        let finding = try #require(patch.findings.first)
        #expect(finding.finding.comment.contains("Bob Maintainer"))
        #expect(run.outcome.drafts[1]?.mail.contains("Bob Maintainer asked on v1") == true)

        // report.md lists both comments with their status.
        let report = try String(contentsOf: run.directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("## Earlier review comments"))
        #expect(report.contains("v1-C1, Rita Reviewer on v1 (\(run.lore.baseURL)/r/\(EvidenceThreads.ritaID)): **addressed**"))
        #expect(report.contains("v1-C2, Bob Maintainer on v1 (\(run.lore.baseURL)/r/\(EvidenceThreads.bobID)): **not addressed**"))
        let findingsJSON = try String(contentsOf: run.directory.appendingPathComponent("findings.json"), encoding: .utf8)
        #expect(findingsJSON.contains("\"status\" : \"not addressed\""))
    }

    @Test func withoutAFindingTheIgnoredCommentIsUnclear() async throws {
        let run = try await Self.review(script: { _ in FakeMessagesAPI.defaultReply })
        defer { run.fake.stop(); run.lore.stop() }
        let statuses = run.outcome.earlierCommentStatuses.map { "\($0.id) \($0.status.rawValue)" }
        #expect(statuses == ["v1-C1 addressed", "v1-C2 unclear"])
    }

    @Test func anAIReviewersCommentInTheThreadIsShownAndNotRepeated() async throws {
        let bot = EvidenceThreads.reply(
            id: "sashiko-1@kernel.org", from: "sashiko-bot@kernel.org", to: EvidenceThreads.v2ID, revision: 2,
            date: "Mon, 08 Jan 2024 11:00:00 +0000", body: """
            Sashiko AI review found 1 potential issue(s) to consider:
            - [Medium] clk_prepare_enable() return value ignored in foo_probe()

            > +\tclk_prepare_enable(priv->clk);

            [Severity: Medium]
            Does this ignore the return value of clk_prepare_enable()? If enabling the
            clock fails, foo_probe() goes on and the device is left without its clock.
            """)
        let run = try await Self.review(v2: EvidenceThreads.v2Thread(extraReplies: [bot]))
        defer { run.fake.stop(); run.lore.stop() }
        let request = try #require(run.fake.exchanges.first { $0.call?.tool == "report_findings" })
        let text = Self.allText(try #require(request.json))
        #expect(text.contains("v2-B1: sashiko-bot@kernel.org on v2 (an AI reviewer)"))
        // Our finding says what the bot already sent at the same line: dropped and counted.
        let patch = try #require(run.outcome.report.patches.first)
        #expect(patch.findings.isEmpty)
        #expect(patch.dropped.map(\.reason) == [.raisedByAnotherReviewer("v2-B1")])
        let report = try String(contentsOf: run.directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("another AI reviewer already sent it (v2-B1)"))
    }

    @Test func ourOwnFindingsOnV1AreGivenToTheModel() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-evidence-store-\(UUID().uuidString)")
        let store = try StateStore(url: home.appendingPathComponent("state.sqlite"))
        let seriesKey = SeriesIdentity.make(changeID: nil, title: EvidenceThreads.title, authorEmail: "jane@example.org",
                                            revision: 1).key
        try store.recordFindingTexts([StoredFinding(
            revision: 1, patchTitle: EvidenceThreads.title, file: "drivers/foo/foo.c",
            anchor: "\tpriv->rate = clk_get_rate(priv->clk);", category: "logic", severity: "low",
            comment: "Is priv->rate used anywhere?", fingerprint: "00ff")], seriesKey: seriesKey)
        let run = try await Self.review(store: store)
        defer { run.fake.stop(); run.lore.stop() }
        let request = try #require(run.fake.exchanges.first { $0.call?.tool == "report_findings" })
        let text = Self.allText(try #require(request.json))
        #expect(text.contains("v1-F1: our low logic finding on v1, drivers/foo/foo.c"))
        #expect(text.contains("Is priv->rate used anywhere?"))
        #expect(run.outcome.earlierCommentStatuses.contains { $0.id == "v1-F1" && $0.status == .unclear })
        // The v2 review's own findings are stored for v3 in turn.
        let stored = try store.findingTexts(seriesKey: seriesKey, before: 3)
        #expect(stored.contains { $0.revision == 2 && $0.comment.contains("Bob Maintainer") })
    }

    /// Every string in a decoded request, joined: the blocks wherever the assembly puts them.
    static func allText(_ value: Any) -> String {
        switch value {
        case let text as String: return text
        case let array as [Any]: return array.map(allText).joined(separator: "\n")
        case let object as [String: Any]: return object.keys.sorted().map { allText(object[$0]!) }.joined(separator: "\n")
        default: return ""
        }
    }
}
