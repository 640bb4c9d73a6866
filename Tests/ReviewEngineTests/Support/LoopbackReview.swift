import CurlKit
import Foundation
import LoopbackServers
import MboxParser
@testable import ReviewEngine

/// The runner over libcurl against `FakeMessagesAPI` on loopback: the whole request path
/// the CLI uses, minus the internet.
struct LoopbackReview {
    static let apiKey = "test-key-loopback-SECRET-4242"

    let fake: FakeMessagesAPI
    let client = CurlClient()

    init(options: FakeMessagesAPI.Options = LoopbackReview.fakeOptions(),
         script: @escaping FakeMessagesAPI.Script = FakeMessagesAPI.defaultReply) throws {
        fake = try FakeMessagesAPI(options: options, script: script)
    }

    static func fakeOptions(latency: Double = 0) -> FakeMessagesAPI.Options {
        var options = FakeMessagesAPI.Options()
        options.apiKey = apiKey
        options.latency = latency
        return options
    }

    func transport(key: String = LoopbackReview.apiKey, authStyle: APIAuthStyle = .xAPIKey) -> CurlMessagesTransport {
        CurlMessagesTransport(client: client, baseURL: fake.baseURL, apiKey: key, authStyle: authStyle)
    }

    func run(files: Int = 8, configuration: ReviewConfiguration = RunnerFixture.configuration(),
             key: String = LoopbackReview.apiKey, store: StateStore? = nil, clock: any ReviewClock = TestClock(),
             series reviewSeries: ReviewSeries? = nil,
             prompts: PromptBundle = testPrompts, provider: FakeCodeContext? = nil) async throws -> ReviewReport {
        let reviewSeries = reviewSeries ?? series([RunnerFixture.patch(files: files)])
        let plan = ReviewPlan.make(series: reviewSeries, options: RunnerFixture.options)
        let runner = ReviewRunner(transport: transport(key: key), store: store, configuration: configuration,
                                  clock: clock, jitter: { 0.5 })
        var tree: ReviewTree?
        if let provider { tree = await ReviewTree.prepare(provider: provider, plan: plan, budgetTokens: 4_000) }
        return try await runner.run(plan: plan, series: reviewSeries,
                                    prompts: Array(repeating: prompts, count: reviewSeries.patches.count), tree: tree)
    }

    /// Specs big enough that the shared prefix passes the 1024-token cache minimum.
    static var bigPrompts: PromptBundle {
        var prompts = testPrompts
        prompts.specTexts = (0..<3).map { "SPEC \($0): " + String(repeating: "check every error path; ", count: 80) }
        return prompts
    }

    /// Requests that reached the model (valid ones), with their call details.
    var calls: [FakeMessagesAPI.Call] { fake.exchanges.compactMap(\.call) }

    func calls(forFile number: Int, tool: String = "report_findings") -> [FakeMessagesAPI.Call] {
        calls.filter { $0.tool == tool && RunnerFixture.fileNumber(inText: $0.userText) == number }
    }
}

/// Tool inputs for the fake, in the contract's JSON.
enum ToolReply {
    static func findings(_ findings: [JSONValue]) -> FakeMessagesAPI.Reply {
        .tool(input: try! CanonicalJSON.encode(JSONValue.object(["findings": .array(findings)])))
    }

    /// The good answer for the task of file N: one finding on its `do_N()` line.
    static func finding(forFile number: Int) -> FakeMessagesAPI.Reply {
        findings([FakeAPI.finding(file: "drivers/f\(number).c", anchor: "\tret = do_\(number)(dev);",
                                  comment: RunnerFixture.comment(number))])
    }

    static func verdict(_ verdict: String, reason: String = "checked the error path") -> FakeMessagesAPI.Reply {
        .tool(input: try! CanonicalJSON.encode(JSONValue.object(["verdict": .string(verdict), "reason": .string(reason)])))
    }
}

extension ReviewReport {
    /// Everything a user could read: reasons, raw answers, warnings, findings.
    var allText: String { String(reflecting: self) }
}
