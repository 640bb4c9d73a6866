import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("reviewengine-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct StateStoreTests {
    @Test func keepsCacheFingerprintsAndRunsAcrossReopening() throws {
        let url = try temporaryDirectory().appendingPathComponent("nested/state.sqlite")
        do {
            let store = try StateStore(url: url)
            try store.storeResponse(requestHash: "abc", model: "m", body: Data("{\"x\":1}".utf8))
            try store.recordFingerprints([("f1", "a.c"), ("f2", "b.c")], seriesKey: "s", revision: 2)
            try store.recordFingerprints([("f3", "a.c")], seriesKey: "s", revision: 3)
            try store.recordFingerprints([("f9", "a.c")], seriesKey: "other", revision: 1)
            try store.recordRun(RunRecord(seriesKey: "s", revision: 3, model: "m", startedAt: Date(timeIntervalSince1970: 1_000),
                                          usage: TokenUsage(input: 1, cacheWrite: 2, cacheRead: 3, output: 4), cost: 0.5,
                                          tasksReviewed: 5, tasksFailed: 1, tasksNotReviewed: 2))
        }
        let reopened = try StateStore(url: url)
        #expect(try reopened.cachedResponse(requestHash: "abc") == Data("{\"x\":1}".utf8))
        #expect(try reopened.cachedResponse(requestHash: "abd") == nil)
        #expect(try reopened.fingerprints(seriesKey: "s", otherThan: 3) == ["f1", "f2"])
        #expect(try reopened.fingerprints(seriesKey: "s", otherThan: 2) == ["f3"])
        let runs = try reopened.runs()
        #expect(runs.count == 1)
        #expect(runs[0].usage == TokenUsage(input: 1, cacheWrite: 2, cacheRead: 3, output: 4))
        #expect(runs[0].cost == 0.5)
        #expect(runs[0].tasksNotReviewed == 2)
    }

    @Test func unusableDatabaseIsAClearError() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("state.sqlite")
        try Data("not a database, just text that is long enough to be a header".utf8).write(to: url)
        let error = #expect(throws: ReviewEngineError.self) { try StateStore(url: url) }
        #expect(error?.description.hasPrefix("cannot use state database \(url.path)") == true)
    }
}

@Suite struct CostTests {
    @Test func pricesEachKindOfToken() {
        let price = ModelPrice(input: 3, output: 15)
        #expect(price.cacheWrite == 3.75)
        #expect(abs(price.cacheRead - 0.3) < 1e-12)
        let usage = TokenUsage(input: 1_000_000, cacheWrite: 1_000_000, cacheRead: 1_000_000, output: 1_000_000)
        #expect(abs(price.cost(of: usage) - (3 + 3.75 + 0.3 + 15)) < 1e-9)
    }

    @Test func looksUpModelsByLongestPrefix() {
        let table = PriceTable(prices: ["claude-opus-4": ModelPrice(input: 15, output: 75),
                                        "claude-opus-4-5": ModelPrice(input: 5, output: 25)])
        #expect(table.price(for: "claude-opus-4-5-20251101")?.input == 5)
        #expect(table.price(for: "claude-opus-4-1-20250805")?.input == 15)
        #expect(table.price(for: "gpt-9") == nil)
    }

    @Test func budgetAdmitsByTokensAndMoney() {
        let price = ModelPrice(input: 3, output: 15)
        let tokens = RunBudget(maxTokens: 1_000)
        #expect(tokens.admits(spent: TokenUsage(input: 500), next: TokenUsage(input: 500), price: price))
        #expect(!tokens.admits(spent: TokenUsage(input: 500, output: 1), next: TokenUsage(input: 500), price: price))
        let money = RunBudget(maxCost: 0.01)  // 10,000 plain input tokens at $3/M is $0.03
        #expect(money.admits(spent: TokenUsage(cacheRead: 20_000), next: TokenUsage(input: 1_000), price: price))
        #expect(!money.admits(spent: TokenUsage(input: 3_000), next: TokenUsage(input: 1_000), price: price))
    }

    @Test func planEstimateCountsThePrefixOnceWrittenThenRead() {
        let patch = Patch(files: [fileDiff("drivers/a.c", [hunk(["+a;", "+b;"])])])
        let reviewSeries = series([patch])
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = 1
        let plan = ReviewPlan.make(series: reviewSeries, options: options)
        #expect(plan.tasks.count == 2)
        let prefixTokens = PromptAssembly.prefix(bundle: testPrompts, series: reviewSeries, patchIndex: 0).blocks
            .reduce(0) { $0 + TokenEstimate.tokens(for: $1.text) }
        let estimate = plan.estimate(series: reviewSeries, prompts: [testPrompts], model: "claude-sonnet-4-5",
                                     prices: .defaults, outputTokensPerTask: 500)
        #expect(estimate.usage == TokenUsage(input: plan.estimatedTaskTokens, cacheWrite: prefixTokens,
                                             cacheRead: prefixTokens, output: 1_000))
        #expect(estimate.cost == PriceTable.defaults.price(for: "claude-sonnet-4-5")!.cost(of: estimate.usage))
    }

    /// Patches of one series share the guides and specs; only their own series context is
    /// new, so the second patch reads the shared part from cache.
    @Test func planEstimateReadsTheSharedPartAcrossPatches() throws {
        let patches = ["a", "b"].map { Patch(files: [fileDiff("drivers/\($0).c", [hunk(["+x;"])])]) }
        let reviewSeries = series(patches)
        let plan = ReviewPlan.make(series: reviewSeries)
        #expect(plan.tasks.count == 2)
        var second = testPrompts
        second.seriesContext = "SERIES CONTEXT OF PATCH 2"
        let shared = ["PROTOCOL", "FALSE POSITIVES", "SPEC net", "SPEC locking"].reduce(0) { $0 + TokenEstimate.tokens(for: $1) }
        let first = TokenEstimate.tokens(for: testPrompts.seriesContext)
        let own = TokenEstimate.tokens(for: second.seriesContext)
        let estimate = plan.estimate(series: reviewSeries, prompts: [testPrompts, second], model: "claude-sonnet-4-5",
                                     prices: .defaults, outputTokensPerTask: 0)
        #expect(estimate.usage == TokenUsage(input: plan.estimatedTaskTokens, cacheWrite: shared + first + own,
                                             cacheRead: shared, output: 0))
    }
}
