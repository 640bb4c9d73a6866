import Foundation
import ReviewEngine

extension Configuration {
    /// The engine's settings from `[model]`, `[review]` and `[prices]`.
    /// Refuses settings outside their allowed values (flags applied after loading, or a
    /// value built in code), so nothing below can overflow or drop every finding.
    public func reviewConfiguration(verify: Bool? = nil) throws -> ReviewConfiguration {
        if let problem = problems().first { throw ReviewBotError("invalid configuration: \(problem)") }
        guard let floor = Severity(rawValue: review.severityFloor) else {
            throw ReviewBotError("review.severity_floor must be low, medium or high, not '\(review.severityFloor)'")
        }
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
