import Foundation
import LoopbackServers
import PromptLibrary
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// What `plan --tree`, `review --dry-run --tree` and a review with a tree say about it, with
/// a small stand-in tree on the engine's side of the seam.
@Suite struct TreeContextTests {
    /// A tree where every task has its function and one caller, and patch 2 did not apply.
    struct StandInTree: CodeContextProvider {
        var summary = TreeSummary(repository: "/src/linux", baseCommit: String(repeating: "9f8e7d6c", count: 5),
                                  baseSource: .blobGuess, baseDescription: "9f8e7d6c9f8e (guessed from the blob ids)",
                                  notApplied: [1: "error: patch failed: drivers/watchdog/s3c2410_wdt.c:42"])

        func context(for task: ReviewTask, budgetTokens: Int) async -> TaskCodeContext? {
            guard summary.notApplied[task.patchIndex] == nil else { return nil }
            return TaskCodeContext(sections: [
                CodeContextSection(kind: .function, title: "s3c2410wdt_probe() in drivers/watchdog/s3c2410_wdt.c, after the patch",
                                   text: "static int s3c2410wdt_probe(struct platform_device *pdev)\n{\n\treturn 0;\n}\n"),
                CodeContextSection(kind: .caller, title: "platform_probe() in drivers/base/platform.c:1400",
                                   text: "\tret = drv->probe(dev);\n"),
            ], omitted: ["struct s3c2410_wdt in drivers/watchdog/s3c2410_wdt.c"])
        }

        func run(_ call: ContextToolCall, patchIndex: Int) async -> ContextToolResult {
            ContextToolResult(text: "not in this stand-in", isError: true)
        }

        func exists(_ identifier: String, patchIndex: Int) async -> Bool { identifier != "imaginary_helper" }
    }

    static func prepared(tree: Bool) async throws -> PreparedReview {
        let example = EndToEndReviewTests.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/exynos850-wdt-v1.mbox")
        let reader = SourceReader(configuration: Configuration(), environment: ["HOME": "/nonexistent"])
        var prepared = try await PreparedReview.prepare(ReviewSelection(source: example.path), reader: reader,
                                                        library: try PromptLibrary.load())
        if tree { await prepared.attachTree(StandInTree(), budgetTokens: 2_000) }
        return prepared
    }

    @Test func planSaysWhetherTheReviewHasTreeContext() async throws {
        let plain = try await Self.prepared(tree: false).planListing
        #expect(plain.split(separator: "\n")[1] == "no tree context: the model sees only the diffs (give --tree to let it read the code)")

        let prepared = try await Self.prepared(tree: true)
        // The estimate counts the context each task carries.
        let context = prepared.tree!.contexts.values.reduce(0) { total, context in
            total + context.sections.reduce(0) { $0 + TokenEstimate.tokens(for: $1.text) }
        }
        #expect(context > 0)
        #expect(prepared.estimate.usage.input == (try await Self.prepared(tree: false)).estimate.usage.input + context)
        let listing = prepared.planListing
        #expect(listing.contains("tree: /src/linux, 9f8e7d6c9f8e (guessed from the blob ids)"))
        #expect(listing.contains("patch 2 did not apply (reviewed without tree context): error: patch failed"))
        #expect(listing.contains("function: s3c2410wdt_probe() in drivers/watchdog/s3c2410_wdt.c, after the patch, ~"))
        #expect(listing.contains("callers found: 1 (platform_probe() in drivers/base/platform.c:1400)"))
        #expect(listing.contains("left out (over budget): struct s3c2410_wdt"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(prepared.planJSON.utf8)) as? [String: Any])
        let tree = try #require(json["tree"] as? [String: Any])
        #expect(tree["baseSource"] as? String == "blob-guess")
        let patches = try #require(json["patches"] as? [[String: Any]])
        let firstTask = try #require((patches[0]["tasks"] as? [[String: Any]])?.first)
        #expect((firstTask["context"] as? [[String: Any]])?.count == 2)
        let notApplied = try #require((patches[1]["tasks"] as? [[String: Any]])?.first)
        #expect((notApplied["context"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test func dryRunWritesTheFirstRequestWithTheContext() async throws {
        let prepared = try await Self.prepared(tree: true)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rb-dry-tree-\(UUID().uuidString)")
        _ = try ReviewJob(prepared: prepared, configuration: Configuration(), outputDirectory: out).writeDryRun()
        let first = try #require(prepared.plan.tasks.first)
        let data = try Data(contentsOf: out.appendingPathComponent("prompts/\(first.id).json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((json["tools"] as? [[String: Any]])?.map { $0["name"] as? String }
                == ["read_function", "find_definition", "find_callers", "grep", "read_file", "report_findings"])
        #expect(json["tool_choice"] as? [String: String] == ["type": "any"])
        let user = try #require((json["messages"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])
        #expect(user.count == 2)
        let task = try #require(user[1]["text"] as? String)
        #expect(task.contains("The tree is 9f8e7d6c9f8e (guessed from the blob ids)."))
        #expect(task.contains("static int s3c2410wdt_probe(struct platform_device *pdev)"))
        #expect(task.contains("- struct s3c2410_wdt in drivers/watchdog/s3c2410_wdt.c"))
        #expect(task.contains("after 6 turns of tool calls"))
        // Four breakpoints: two in the system prompt, the series context, the task (next turn reads it).
        let breakpoints = String(decoding: data, as: UTF8.self).components(separatedBy: "\"cache_control\"").count - 1
        #expect(breakpoints == 4)
        let readable = try String(contentsOf: out.appendingPathComponent("prompts/\(first.id).txt"), encoding: .utf8)
        #expect(readable.hasPrefix("===== tools: read_function, find_definition, find_callers, grep, read_file, report_findings; tool_choice: any ====="))
    }

    @Test func reportAndFindingsNameTheBaseAndThePatchesThatDidNotApply() async throws {
        let prepared = try await Self.prepared(tree: true)
        var options = FakeMessagesAPI.Options()
        options.apiKey = EndToEndReviewTests.apiKey
        // The scripted reviewer, plus one finding per task that cites a function the tree lacks.
        let fake = try FakeMessagesAPI(options: options) { call in
            guard call.tool == "report_findings", let task = ScriptedReviewer.finding(inTask: call.userText) else {
                return ScriptedReviewer.reply(call)
            }
            let invented: [String: Any] = ["file": task.file, "anchor": task.anchor, "category": "logic",
                                           "severity": "high", "comment": "This should call imaginary_helper() first."]
            let body = try! JSONSerialization.data(withJSONObject: ["findings": [invented]], options: [.sortedKeys])
            return .tool(input: body)
        }
        defer { fake.stop() }
        var config = Configuration()
        config.model.baseURL = fake.baseURL
        config.drafts.from = "Rev Iewer <rev@example.net>"
        config.review.verify = false
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rb-tree-\(UUID().uuidString)")
        let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": EndToEndReviewTests.apiKey]))
        let outcome = try await ReviewJob(prepared: prepared, configuration: config, outputDirectory: out)
            .run(transport: transport, store: nil, date: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(outcome.report.tree?.baseSource == .blobGuess)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("Tree context: /src/linux at 9f8e7d6c9f8e (guessed from the blob ids)"))
        #expect(report.contains("Patch 2 did not apply and was reviewed without tree context: error: patch failed"))
        let findings = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("findings.json"))) as? [String: Any])
        let tree = try #require(findings["tree"] as? [String: Any])
        #expect(tree["baseCommit"] as? String == String(repeating: "9f8e7d6c", count: 5))
        #expect((tree["notApplied"] as? [[String: Any]])?.first?["patch"] as? Int == 2)
        let reported = outcome.report.outcomes.reduce(0) { $0 + $1.reportedFindings }
        #expect(reported > 0)
        #expect((findings["dropped"] as? [String: Int])?["citesUnknownCode"] == reported)
        #expect(outcome.report.patches.allSatisfy { $0.findings.isEmpty })
        let patches = try #require(findings["patches"] as? [[String: Any]])
        let reasons = patches.flatMap { ($0["dropped"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String } }
        #expect(reasons.first == "cites code that exists neither in the tree nor in the series: imaginary_helper")
        // Every request offered the context tools; none was forced before the model reported.
        for call in fake.exchanges.compactMap(\.call) {
            #expect(call.tools.count == 6)
        }
    }
}
