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
    /// Context-tool calls answered (repeats and errors included).
    private(set) var toolCalls = 0
    private(set) var stoppedByBudget = false
    /// Set when the API refused the key or could not be reached: every later request
    /// would fail the same way, so none is admitted.
    private(set) var failure: RunFailure?
    private(set) var warnings: [String] = []
    private var pacer = RateLimitPacer()
    let cacheWarmup: Duration
    /// Set from outside the run (watch mode's SIGTERM): no request is admitted after it.
    let stop: RunStop?
    /// While the run's first request is out and no answer has come back: requests wait
    /// until this date, so they find the shared prefix cached instead of writing it again.
    private var warmupUntil: Date?
    private var answered = false

    init(budget: RunBudget, price: ModelPrice?, cacheWarmup: Duration = .zero, stop: RunStop? = nil) {
        self.budget = budget
        self.price = price
        self.cacheWarmup = cacheWarmup
        self.stop = stop
    }

    /// Whether a request estimated at `estimate` may start; once one is refused the run is
    /// stopped and every later request is refused too, so the run ends in plan order.
    func admit(_ estimate: TokenUsage) -> Bool {
        guard failure == nil, stop?.requested == nil else { return false }
        if !stoppedByBudget, !budget.admits(spent: usage, next: estimate, price: price) { stoppedByBudget = true }
        return !stoppedByBudget
    }

    /// Why requests are no longer admitted, for the tasks left unreviewed.
    var stopReason: String {
        if failure == nil, let reason = stop?.requested { return "not sent: \(reason)" }
        return switch failure {
        case .rejectedCredentials?: "not sent: the API refused the key"
        case .unreachable?: "not sent: the API did not answer"
        case nil: "the run budget was used up"
        }
    }

    /// A 401 or 403: the first one stops the run.
    func rejectCredentials(_ detail: String) {
        if failure == nil { failure = .rejectedCredentials(detail) }
    }

    /// A request gave up without any answer while no request of the run has had one:
    /// the API is unreachable, and the rest of the run would only wait for it.
    func giveUpUnanswered(_ detail: String) {
        if failure == nil, !answered { failure = .unreachable(detail) }
    }

    /// How long to wait before sending: the rate-limit pacing, and during the cache
    /// warm-up the rest of it (the first request of the run goes at once).
    func reserve(now: Date, inputTokens: Int) -> Duration {
        var pause = pacer.reserve(now: now, inputTokens: inputTokens)
        if !answered, cacheWarmup > .zero {
            if let until = warmupUntil {
                let rest = Duration.milliseconds(Int64((until.timeIntervalSince(now) * 1000).rounded(.up)))
                pause = max(pause, rest)
            } else {
                warmupUntil = now.addingTimeInterval(cacheWarmup.seconds)
            }
        }
        return pause
    }

    /// Any answer ends the warm-up: the API has written what it was going to write.
    func observe(headers: [String: String]) {
        answered = true
        pacer.observe(headers: headers)
    }

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
    private var findingsVerified = 0
    func findingVerified() -> (Int, TokenUsage) {
        findingsVerified += 1
        return (findingsVerified, usage)
    }
    func countCacheHit() { cacheHits += 1 }
    func countToolCalls(_ count: Int) { toolCalls += count }
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
