import Foundation
import GitFixtures
import LoopbackServers
import Testing

/// `reviewbot plan --tree` and `review --tree` as a user runs them, over the sample driver
/// repository (a real git checkout) and the fake Messages API: what the model is sent,
/// what its tool calls are answered with, and that the checkout is left as it was.
@Suite(.serialized) struct TreeReviewTests {
    static let key = "test-key-cli-tree-5678"
    /// How a request's series context names its patch: 1 changes foo_core.c (probe
    /// enables, remove resets), 2 foo_glue.c, 3 foo.h.
    static let probePatch = "Patch 1 of 3,"
    static let gluePatch = "Patch 2 of 3,"
    static let headerPatch = "Patch 3 of 3,"

    let sample: SampleDriverRepository

    init() throws {
        sample = try SampleDriverRepository.make()
    }

    func config() throws -> String {
        try CLI.file("[drafts]\nfrom = \"Rev Iewer <rev@example.net>\"\n", name: "config.toml")
    }

    /// The model: on the first turn of a task of the probe patch it asks for the callers
    /// of foo_remove() and for foo_core.c after the patch and before the series, on the
    /// second for foo_probe(), then reports; every other request gets the fake's default
    /// (no findings).
    static func script(_ call: FakeMessagesAPI.Call) -> FakeMessagesAPI.Reply {
        if call.turn == 1, call.userText.contains(probePatch) {
            return .toolCalls([
                .init(name: "find_callers", json: #"{"name":"foo_remove"}"#),
                .init(name: "read_file", json: #"{"file":"drivers/misc/foo/foo_core.c","start":1,"end":200}"#),
                .init(name: "read_file",
                      json: #"{"file":"drivers/misc/foo/foo_core.c","start":1,"end":200,"version":"base"}"#),
            ])
        }
        if call.turn == 2 {
            return .toolCalls([.init(name: "read_function", json: #"{"name":"foo_probe"}"#)])
        }
        return FakeMessagesAPI.defaultReply(call)
    }

    /// The first request of each task of one patch.
    static func firstRequests(_ api: FakeMessagesAPI, of patch: String) -> [FakeMessagesAPI.Call] {
        api.exchanges.compactMap(\.call).filter { $0.turn == 1 && $0.userText.contains(patch) }
    }

    /// `review --tree`; `home` holds the state database (the response cache) and the
    /// tree cache, so a second run with the same one reads both.
    func review(_ mbox: URL, api: FakeMessagesAPI, home: URL? = nil) throws -> (CLI.Result, out: URL) {
        let home = try home ?? CLI.scratch()
        let out = try CLI.scratch().appendingPathComponent("out")
        let result = try CLI.run(["review", mbox.path, "--tree", sample.fixture.path, "--out", out.path,
                                  "--config", try config(), "--yes"],
                                 environment: ["ANTHROPIC_API_KEY": Self.key, "ANTHROPIC_BASE_URL": api.baseURL,
                                               "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                                               "XDG_CACHE_HOME": home.appendingPathComponent("cache").path])
        return (result, out)
    }

    func fake() throws -> FakeMessagesAPI {
        var options = FakeMessagesAPI.Options()
        options.apiKey = Self.key
        return try FakeMessagesAPI(options: options, script: Self.script)
    }

    @Test func reviewWithATreeSendsTheCodeAroundTheHunksAndAnswersToolCallsFromIt() throws {
        defer { sample.fixture.remove() }
        let before = try sample.fixture.snapshot()
        let api = try fake()
        defer { api.stop() }
        // No base-commit line: the base is guessed from the blob ids.
        let home = try CLI.scratch()
        let mbox = try sample.seriesMbox(base: false)
        let (result, out) = try review(mbox, api: api, home: home)
        #expect(result.status == 0, "\(result.stderr)")

        let first = Self.firstRequests(api, of: Self.probePatch)
        #expect(!first.isEmpty)
        let context = first.map(\.userText).joined(separator: "\n")
        // The whole of foo_probe(), from its allocation 40+ lines above the hunk.
        #expect(context.contains("static int foo_probe(struct platform_device *pdev)"))
        #expect(context.contains("priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);"))
        // The private struct the changed lines use, from the header.
        #expect(context.contains("code: struct foo_priv in drivers/misc/foo/foo.h:13-19\n    13   struct foo_priv {\n"))
        #expect(context.contains("    15   \tvoid __iomem *regs;\n"))
        // Both callers of foo_remove(): the direct call and the ops-struct initialiser.
        #expect(context.contains("drivers/misc/foo/foo_glue.c:7, in foo_glue_shutdown(), call:"))
        #expect(context.contains("drivers/misc/foo/foo_glue.c:11, in initialiser of foo_glue_driver, reference:"))
        #expect(context.contains("The tree is guessed from blob ids: \(sample.base.prefix(12))"))

        // The tool calls were answered from the tree, after the patch unless asked otherwise.
        // Only the probe patch's tasks call tools, so every request carrying results is theirs.
        let answered = api.exchanges.compactMap(\.call).filter { !$0.toolResults.isEmpty }
        #expect(answered.count == 2 * first.count)
        let results = try #require(answered.first { $0.turn == 2 }?.toolResults)
        #expect(results.count == 3)
        #expect(results.allSatisfy { !$0.isError }, "\(results)")
        #expect(results[0].content.contains("foo_glue.c:7: in foo_glue_shutdown(), call: foo_remove(pdev);"))
        #expect(results[0].content.contains("foo_glue.c:11: in initialiser of foo_glue_driver, reference:"))
        #expect(results[1].content.contains("writel(FOO_CTRL_RESET, priv->regs + FOO_CTRL);"))
        #expect(results[1].content.contains("ret = foo_hw_enable(priv);"))
        #expect(!results[2].content.contains("FOO_CTRL_RESET"))
        #expect(results[2].content.contains("priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);"))

        let function = try #require(answered.first { $0.turn == 3 }?.toolResults)
        #expect(function.count == 1 && !function[0].isError)
        #expect(function[0].content.contains("foo_probe() in drivers/misc/foo/foo_core.c:24-107 (after patch 1)\n"))
        #expect(function[0].content.contains("   103   \tpriv->flags |= FOO_FLAG_READY;\n"))

        // Every request offered the five context tools with report_findings and kept to
        // the API's four cache breakpoints, the moving one included.
        for exchange in api.exchanges {
            #expect(exchange.call?.tools == ["read_function", "find_definition", "find_callers", "grep", "read_file",
                                             "report_findings"])
            let breakpoints = String(decoding: exchange.body, as: UTF8.self)
                .components(separatedBy: "\"cache_control\"").count - 1
            #expect((1...4).contains(breakpoints))
        }

        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("Tree context: \(sample.fixture.path) at guessed from blob ids: \(sample.base.prefix(12))"))
        #expect(!report.contains("did not apply"))

        // Again, with the symbol index and the response cache from the first run: the same
        // requests, byte for byte, so no API call.
        let sent = api.exchanges.count
        let (again, _) = try review(mbox, api: api, home: home)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(api.exchanges.count == sent, "a re-run with a tree must be answered from the response cache")

        // The checkout: status, refs, HEAD, the index's bytes and time, worktrees, objects.
        #expect(try sample.fixture.snapshot() == before)
    }

    @Test func aPatchThatDoesNotApplyIsNamedAndTheOthersStillGetTheirContext() throws {
        defer { sample.fixture.remove() }
        // Patch 2's context line no longer matches foo_glue.c.
        let good = try String(contentsOf: try sample.seriesMbox(base: true), encoding: .utf8)
        let broken = good.replacingOccurrences(of: "\n \tfoo_remove(pdev);\n", with: "\n \tfoo_remove(dev);\n")
        #expect(broken != good)
        let mbox = try sample.fixture.writeMbox([broken], name: "broken.mbox")
        let before = try sample.fixture.snapshot()

        let plan = try CLI.run(["plan", mbox.path, "--tree", sample.fixture.path, "--config", try config()])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("tree: \(sample.fixture.path), base-commit \(sample.base.prefix(12))"))
        #expect(plan.stdout.contains("patch 2 did not apply (reviewed without tree context): "))
        #expect(plan.stdout.contains("foo_glue.c"))
        #expect(plan.stdout.contains("function: foo_probe() in drivers/misc/foo/foo_core.c"))
        #expect(plan.stdout.contains("callers found: 2"))

        let api = try fake()
        defer { api.stop() }
        let (result, out) = try review(mbox, api: api)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("Patch 2 did not apply and was reviewed without tree context: "))

        let glue = Self.firstRequests(api, of: Self.gluePatch).map(\.userText).joined()
        #expect(glue.contains("but this patch did not apply to it"))
        #expect(glue.contains("drivers/misc/foo/foo_glue.c"))
        let probe = Self.firstRequests(api, of: Self.probePatch).map(\.userText).joined()
        #expect(probe.contains("These parts of it were read for this task"))
        #expect(probe.contains("priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);"))
        let header = Self.firstRequests(api, of: Self.headerPatch).map(\.userText).joined()
        #expect(header.contains("These parts of it were read for this task"))
        #expect(!header.contains("did not apply"))
        #expect(try sample.fixture.snapshot() == before)
    }
}
