import Foundation
import ReviewEngine

extension Configuration {
    /// The engine's settings from `[model]`, `[review]` and `[prices]`.
    public func reviewConfiguration(verify: Bool? = nil) throws -> ReviewConfiguration {
        guard let floor = Severity(rawValue: review.severityFloor) else {
            throw ReviewBotError("review.severity_floor must be low, medium or high, not '\(review.severityFloor)'")
        }
        guard model.concurrency >= 1 else { throw ReviewBotError("model.concurrency must be 1 or more") }
        guard model.maxTokens >= 1 else { throw ReviewBotError("model.max_tokens must be 1 or more") }
        var c = ReviewConfiguration(request: RequestSettings(model: model.name, maxTokens: model.maxTokens))
        c.maxTokensCeiling = max(model.maxTokensCeiling, model.maxTokens)
        c.concurrency = model.concurrency
        c.requestTimeout = .seconds(model.timeoutSeconds)
        c.retry.maxAttempts = max(1, model.retries + 1)
        c.budget = RunBudget(maxTokens: review.budgetTokens > 0 ? review.budgetTokens : nil,
                             maxCost: review.budgetUSD > 0 ? review.budgetUSD : nil)
        c.verify = verify ?? review.verify
        c.severityFloor = floor
        c.maxFindingsPerPatch = review.maxFindingsPerPatch
        c.prices = priceTable
        // Each tool turn is a request: a cap of 0 forces the answer at once; beyond 50 a task
        // would read more than a maintainer reviews a patch by.
        guard (0...50).contains(tree.maxToolTurns) else {
            throw ReviewBotError("tree.max_tool_turns must be from 0 to 50, not \(tree.maxToolTurns)")
        }
        c.maxToolTurns = tree.maxToolTurns
        return c
    }

    public var priceTable: PriceTable { PriceTable(prices: prices) }

    public var planningOptions: PlanningOptions {
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = review.taskLines
        return options
    }
}
