import Foundation
import MboxParser
@testable import ReviewEngine

/// A series of one patch touching `files` files, one 3-line change each; with the planning
/// options below every file is one task.
enum RunnerFixture {
    static func hunkLines(_ number: Int, check: String = "if (ret)") -> [String] {
        [" \terr = setup_\(number)(dev);", "+\tret = do_\(number)(dev);", "+\t\(check)", "+\t\treturn ret;", " \treturn 0;"]
    }

    static func patch(files: Int, start: Int = 20, check: String = "if (ret)") -> Patch {
        Patch(commitMessage: "Add do_N() calls.", diffstat: [" \(files) files changed"],
              files: (0..<files).map { fileDiff("drivers/f\($0).c", [hunk(oldStart: start, newStart: start,
                                                                            function: "static int probe_\($0)(void)",
                                                                            hunkLines($0, check: check))]) })
    }

    static var options: PlanningOptions {
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = 3
        return options
    }

    static func configuration(concurrency: Int = 4, verify: Bool = false) -> ReviewConfiguration {
        var configuration = ReviewConfiguration(request: RequestSettings(model: FakeAPI.model, maxTokens: 4_096))
        configuration.concurrency = concurrency
        configuration.verify = verify
        // Exact sleep counts elsewhere; the warm-up has its own tests.
        configuration.cacheWarmup = .zero
        return configuration
    }

    /// The N of `drivers/fN.c` named in a request.
    static func fileNumber(_ call: SentRequest) -> Int { fileNumber(inText: call.userText) }

    static func fileNumber(inText userText: String) -> Int {
        let marker = "b/drivers/f"
        guard let range = userText.range(of: marker) else { return -1 }
        return Int(userText[range.upperBound...].prefix { $0.isNumber }) ?? -1
    }

    static func comment(_ number: Int) -> String {
        "Can do_\(number)() fail after alloc_\(number)() succeeded, leaking buf_\(number)?"
    }

    /// A good answer for the task of file N: one finding on its `do_N()` line.
    static func findings(for number: Int, headers: [String: String] = [:],
                         usage: MessagesAPI.Usage = MessagesAPI.Usage(inputTokens: 1_000, outputTokens: 100)) -> HTTPAnswer {
        FakeAPI.findings([FakeAPI.finding(file: "drivers/f\(number).c", anchor: "\tret = do_\(number)(dev);",
                                          comment: comment(number))], usage: usage, headers: headers)
    }

    static func run(_ transport: ScriptedTransport, files: Int = 8, configuration: ReviewConfiguration,
                    store: StateStore? = nil, clock: TestClock = TestClock(),
                    series reviewSeries: ReviewSeries? = nil) async throws -> ReviewReport {
        let reviewSeries = reviewSeries ?? series([patch(files: files)])
        let plan = ReviewPlan.make(series: reviewSeries, options: options)
        let runner = ReviewRunner(transport: transport, store: store, configuration: configuration, clock: clock,
                                  jitter: { 0.5 })
        return try await runner.run(plan: plan, series: reviewSeries,
                                    prompts: Array(repeating: testPrompts, count: reviewSeries.patches.count))
    }
}
