// Benchmark for scripts/bench-review: reviews the largest fixture series with the real
// runner over libcurl against FakeMessagesAPI (fixed latency) on loopback, and prints wall
// time against the ideal, the share of input tokens read from the prompt cache, and total
// input tokens against a naive baseline measured by the same fake in the same run.
//
// With TOOL_TURNS > 0 the review has a stand-in tree: each task carries 2 KB of code
// context, and the model reads one function per turn for TOOL_TURNS turns before it
// reports, so the figures show the tool loop's cache behaviour (the moving breakpoint).
//
// usage: ReviewBench FIXTURES_DIR [LATENCY_MS] [CONCURRENCY] [WARMUP_MS] [TOOL_TURNS]
import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import PromptLibrary
import ReviewBotKit
import ReviewEngine

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ReviewBench FIXTURES_DIR [LATENCY_MS] [CONCURRENCY] [WARMUP_MS] [TOOL_TURNS]\n".utf8))
    exit(2)
}
let latency = (arguments.count > 2 ? Double(arguments[2]) : nil).map { $0 / 1000 } ?? 0.2
let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 4 : 4
// Default: twice the time to the first token the fake is given below.
let warmup = (arguments.count > 4 ? Double(arguments[4]) : nil).map { $0 / 1000 } ?? 2 * latency / 10
let toolTurns = arguments.count > 5 ? max(0, Int(arguments[5]) ?? 0) : 0
let model = "claude-sonnet-4-5"

/// A tree that answers every look-up with the same 2 KB function, for measuring the
/// layout of tool-loop requests, not a tree's speed.
struct BenchTree: CodeContextProvider {
    static let function = "int bench_fn(struct bench *b)\n{\n" + String(repeating: "\tb->count += bench_step(b);\n", count: 70) + "}\n"
    var summary: TreeSummary {
        TreeSummary(repository: "bench", baseCommit: String(repeating: "0", count: 40), baseSource: .head,
                    baseDescription: "HEAD (bench stand-in)")
    }
    func context(for task: ReviewTask, budgetTokens: Int) async -> TaskCodeContext? {
        TaskCodeContext(sections: [CodeContextSection(kind: .function, title: "bench_fn() in bench.c", text: Self.function)])
    }
    func run(_ call: ContextToolCall, patchIndex: Int) async -> ContextToolResult { ContextToolResult(text: Self.function) }
    func exists(_ identifier: String, patchIndex: Int) async -> Bool { true }
}

do {
    // The same path as `reviewbot review`: the mail reader, series assembly, the prompt
    // files and the planner, over the fixture thread with the most patches.
    let library = try PromptLibrary.load()
    let reader = SourceReader(configuration: Configuration(), environment: [:])
    var candidates: [PreparedReview] = []
    let fixtures = FileManager.default.enumerator(at: URL(fileURLWithPath: arguments[1]), includingPropertiesForKeys: nil)?
        .compactMap { $0 as? URL }
        .filter { $0.lastPathComponent.hasPrefix("thread-") && $0.pathExtension == "mbox" }
        .sorted { $0.path < $1.path } ?? []
    for file in fixtures {
        if let prepared = try? await PreparedReview.prepare(ReviewSelection(source: file.path), reader: reader,
                                                            library: library) {
            candidates.append(prepared)
        }
    }
    guard let fixture = candidates.max(by: { $0.patches.count < $1.patches.count }) else {
        throw BenchError("no patch series under \(arguments[1])")
    }
    let series = fixture.reviewSeries
    let prompts = fixture.bundles
    let plan = fixture.plan

    var options = FakeMessagesAPI.Options()
    options.apiKey = "sk-ant-bench-" + UUID().uuidString
    options.latency = latency
    // The response (and with it the cache entry) begins after the prefill, a tenth of the
    // answer's time here; a real review answer spends most of its time generating.
    options.timeToFirstToken = latency / 10
    let fake = try FakeMessagesAPI(options: options) { call in
        guard call.choice == "any", call.turn <= toolTurns else { return FakeMessagesAPI.defaultReply(call) }
        return .toolCalls([FakeMessagesAPI.ToolCall(name: "read_function", json: "{\"name\":\"fn_\(call.turn)\"}")])
    }
    defer { fake.stop() }
    let client = CurlClient()
    let transport = CurlMessagesTransport(client: client, baseURL: fake.baseURL, apiKey: options.apiKey)
    var configuration = ReviewConfiguration(request: RequestSettings(model: model))
    configuration.concurrency = concurrency
    configuration.cacheWarmup = .milliseconds(Int64((warmup * 1000).rounded()))
    let runner = ReviewRunner(transport: transport, store: nil, configuration: configuration)

    let started = ContinuousClock.now
    let tree = toolTurns > 0 ? await ReviewTree.prepare(provider: BenchTree(), plan: plan, budgetTokens: 4_000) : nil
    let report = try await runner.run(plan: plan, series: series, prompts: prompts, tree: tree)
    let wall = ContinuousClock.now - started
    let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18

    // Baseline: per patch one request without cache_control carrying the whole patch mail
    // body and every subsystem and pattern file, billed by a second fake.
    var baselineOptions = options
    baselineOptions.latency = 0
    let baselineFake = try FakeMessagesAPI(options: baselineOptions)
    defer { baselineFake.stop() }
    let baselineTransport = CurlMessagesTransport(client: client, baseURL: baselineFake.baseURL, apiKey: options.apiKey)
    let everySpec = library.files.filter { $0.kind == .subsystem || $0.kind == .pattern }.map(\.body)
    for (index, item) in fixture.patches.enumerated() {
        var bundle = prompts[index]
        bundle.specTexts = everySpec
        let prefix = PromptAssembly.prefix(bundle: bundle, series: series, patchIndex: index)
        var system = prefix.system
        for block in system.indices { system[block].cacheControl = nil }
        let request = MessagesAPI.Request(
            model: model, maxTokens: configuration.request.maxTokens, system: system,
            messages: [MessagesAPI.Message(role: "user", content: [MessagesAPI.TextBlock(text: prefix.seriesContext.text),
                MessagesAPI.TextBlock(text: try bundle.task.render(["task_scope": "the whole patch", "hunks": item.body,
                                                                    "code_context": ""]))])],
            tools: [.reportFindings], toolChoice: MessagesAPI.ToolChoice(name: MessagesAPI.Tool.reportFindings.name))
        let answer = try await baselineTransport.send(body: try request.encoded(), timeout: .seconds(60))
        guard answer.status == 200 else { throw BenchError("baseline request \(index + 1) got HTTP \(answer.status)") }
    }

    let tasks = plan.tasks.count
    let requests = fake.exchanges.count
    let ideal = Double(tasks) * latency / Double(concurrency)
    let usage = fake.totalUsage
    let baseline = baselineFake.totalUsage
    let reviewed = report.outcomes.filter { if case .reviewed = $0.status { true } else { false } }.count
    let readShare = Double(usage.cacheReadInputTokens) / Double(max(1, usage.totalInputTokens))
    // Input billed at Anthropic's multipliers: cache writes 1.25x, reads 0.1x.
    let weighted = Double(usage.inputTokens) + 1.25 * Double(usage.cacheCreationInputTokens)
        + 0.1 * Double(usage.cacheReadInputTokens)
    func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    print("series: \(fixture.seriesTitle), \(fixture.patches.count) patches, \(tasks) tasks, "
        + "\(plan.skipped.count) skipped parts; \(reviewed)/\(tasks) reviewed, \(report.failedTasks.count) failed")
    print("tasks per patch: \(plan.patches.map { String($0.tasks.count) }.joined(separator: " "))")
    if toolTurns > 0 {
        print("stand-in tree: 2 KB of context per task, \(toolTurns) tool turn(s) per task before report_findings, "
            + "\(report.toolCalls) tool calls")
    }
    print("latency \(Int(latency * 1000)) ms (response begins after \(Int(latency * 100)) ms), concurrency "
        + "\(concurrency), cache warm-up \(configuration.cacheWarmup), \(requests) requests")
    print("wall time \(f(wallSeconds, 3)) s, ideal (tasks x latency / \(concurrency)) \(f(ideal, 3)) s, "
        + "ideal/wall \(f(ideal / wallSeconds)) (target >= 0.85)")
    print("input tokens \(usage.totalInputTokens): uncached \(usage.inputTokens), cache write "
        + "\(usage.cacheCreationInputTokens), cache read \(usage.cacheReadInputTokens); "
        + "cache reads \(f(readShare * 100, 1))% (target >= 60%)")
    print("input tokens per task: \(usage.totalInputTokens / max(1, tasks)) (each patch's request names its own "
        + "guides; the cached prefix holds the union of the series' guides)")
    print("baseline (\(fixture.patches.count) uncached requests, whole patch + all \(everySpec.count) specs): "
        + "\(baseline.totalInputTokens) input tokens")
    print("ours/baseline: \(f(Double(usage.totalInputTokens) / Double(max(1, baseline.totalInputTokens)))) by tokens, "
        + "\(f(weighted / Double(max(1, baseline.totalInputTokens)))) billed (write x1.25, read x0.1)")
} catch {
    FileHandle.standardError.write(Data("bench-review: \(error)\n".utf8))
    exit(1)
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
