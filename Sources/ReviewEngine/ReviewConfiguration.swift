import Foundation

/// A per-run spending limit. Each request is admitted only while the tokens or money spent
/// plus its estimated input stay within the limit, so a run can overshoot by at most the
/// answers of the requests already in flight.
public struct RunBudget: Sendable, Hashable {
    public var maxTokens: Int?
    /// US dollars, priced with the run's price table.
    public var maxCost: Double?

    public init(maxTokens: Int? = nil, maxCost: Double? = nil) {
        self.maxTokens = maxTokens
        self.maxCost = maxCost
    }

    /// Whether a request estimated at `next` may start after `spent`.
    public func admits(spent: TokenUsage, next: TokenUsage, price: ModelPrice?) -> Bool {
        if let maxTokens, spent.total + next.total > maxTokens { return false }
        if let maxCost, let price, price.cost(of: spent) + price.cost(of: next) > maxCost { return false }
        return true
    }
}

/// Everything a review run is configured by; filled from the config file and flags.
public struct ReviewConfiguration: Sendable, Hashable {
    public var request: RequestSettings
    /// The most `max_tokens` a task cut at `max_tokens` is retried with.
    public var maxTokensCeiling: Int = 16_384
    /// Requests in flight at once.
    public var concurrency: Int = 4
    /// How long requests hold back after the run's first request is sent, while no answer
    /// has come back yet. The API makes a cache entry readable only once the response
    /// that writes it has begun; requests sent before then all pay to write the shared
    /// prefix again. Two seconds covers the prefill of a prompt of some 10k tokens;
    /// `.zero` turns the warm-up off.
    public var cacheWarmup: Duration = .seconds(2)
    /// Per request; long because a full answer to a large task takes minutes without streaming.
    public var requestTimeout: Duration = .seconds(600)
    public var retry = RetryPolicy()
    public var budget = RunBudget()
    /// The verification pass (`--no-verify` turns it off).
    public var verify: Bool = true
    /// Findings below this severity are dropped (and counted).
    public var severityFloor: Severity = .low
    /// Findings kept per patch, highest severity first; the rest are counted as over the cap.
    public var maxFindingsPerPatch: Int = 10
    public var prices: PriceTable = .defaults
    /// Turns of context-tool calls a task (or a verification) may take before the final
    /// tool is forced (`[tree] max_tool_turns`); only with a tree.
    public var maxToolTurns: Int = 6
    /// Remember the kept findings' fingerprints so a later revision does not repeat them.
    public var recordFingerprints: Bool = true
    /// Answer requests from the response cache when it has them; `--fresh` turns this off
    /// for one run (answers are still stored).
    public var readCache: Bool = true

    public init(request: RequestSettings) { self.request = request }

    /// The larger `max_tokens` for a retry after a cut answer, or nil at the ceiling.
    func roomAfterCut(_ current: Int) -> Int? {
        current < maxTokensCeiling ? min(maxTokensCeiling, current * 2) : nil
    }
}
