import Foundation

/// The state requests of one run share: spending against the budget, rate-limit pacing,
/// counters and warnings.
actor RunLedger {
    let budget: RunBudget
    let price: ModelPrice?
    private(set) var usage = TokenUsage()
    private(set) var usageByPatch: [Int: TokenUsage] = [:]
    private(set) var apiCalls = 0
    private(set) var cacheHits = 0
    private(set) var stoppedByBudget = false
    private(set) var warnings: [String] = []
    private var pacer = RateLimitPacer()

    init(budget: RunBudget, price: ModelPrice?) {
        self.budget = budget
        self.price = price
    }

    /// Whether a request estimated at `estimate` may start; once one is refused the run is
    /// stopped and every later request is refused too, so the run ends in plan order.
    func admit(_ estimate: TokenUsage) -> Bool {
        if !stoppedByBudget, !budget.admits(spent: usage, next: estimate, price: price) { stoppedByBudget = true }
        return !stoppedByBudget
    }

    func reserve(now: Date, inputTokens: Int) -> Duration {
        pacer.reserve(now: now, inputTokens: inputTokens)
    }

    func observe(headers: [String: String]) { pacer.observe(headers: headers) }

    func record(_ spent: TokenUsage, patchIndex: Int) {
        usage += spent
        usageByPatch[patchIndex, default: TokenUsage()] += spent
    }

    func countCall() { apiCalls += 1 }
    private var tasksDone = 0
    func taskDone() -> (Int, TokenUsage) {
        tasksDone += 1
        return (tasksDone, usage)
    }
    func countCacheHit() { cacheHits += 1 }
    func warn(_ message: String) { warnings.append(message) }
}

/// Runs `body` over `items` with at most `limit` in flight, keeping the order of `items`.
func boundedMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> Result
) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        while next < min(max(1, limit), items.count) {
            let index = next
            group.addTask { (index, await body(items[index])) }
            next += 1
        }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < items.count {
                let queued = next
                group.addTask { (queued, await body(items[queued])) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
