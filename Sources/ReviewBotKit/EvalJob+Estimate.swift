import Foundation
import ReviewEngine

/// `reviewbot eval --dry-run`: what the eval would cost, before any request.
public struct EvalEstimate: Sendable {
    public struct Row: Sendable {
        public var row: EvalRow
        /// Nil when the row would be left out (`leftOut` says why).
        public var review: PlanEstimate?
        public var judge: TokenUsage
        public var leftOut: (status: EvalRowResult.Status, detail: String)?
        public var tasks: Int
        /// The review and the judge, one run; nil without a price.
        public var cost: Double?
    }

    public var rows: [Row]
    public var runs: Int
    public var model: String
    /// Rows a state database already holds as finished, per run: they cost nothing again.
    public var finished: Int
    public var usage: TokenUsage
    /// Nil when a model has no price.
    public var cost: Double?
}

/// What the estimate assumes about answers it cannot know in advance.
enum EvalEstimateAssumptions {
    /// Kept findings a review shows the judge: `[review] max_findings_per_patch` is the
    /// most, and the reviews of single commits we ran keep two or three.
    static let findingsPerPatch = 3
    /// Tokens of one finding as the judge sees it: a comment of a few sentences, its line
    /// and its evidence.
    static let tokensPerFinding = 200
    /// The judge's answer: a verdict, an index and a sentence or two.
    static let judgeOutputTokens = 150
}

extension EvalJob {
    /// Prepares every row (patch, tree, plan) as the eval would, and adds up the plans'
    /// estimates and one judge request per row, times the runs. Rows `store` holds as
    /// finished are left out of the total. No request is sent.
    public func estimate(store: StateStore?) async throws -> EvalEstimate {
        let prompts = try JudgePrompts.make(library: library)
        let judgeModel = judgeModel ?? configuration.model.name
        let prices = configuration.priceTable
        var finishedKeys = Set<[Int]>()
        if let store {
            for stored in try store.evalResults(benchmark: benchmark.hash, model: stateModel) {
                finishedKeys.insert([stored.run, stored.row])
            }
        }
        var rows: [EvalEstimate.Row] = []
        var usage = TokenUsage()
        var judgeUsage = TokenUsage()
        var reviewCost: Double? = 0
        var finished = 0
        for row in self.rows {
            let system = TokenEstimate.tokens(for: prompts.system)
            let question = TokenEstimate.tokens(for: row.problemDescription)
                + EvalEstimateAssumptions.findingsPerPatch * EvalEstimateAssumptions.tokensPerFinding
            var judge = TokenUsage(input: system + question, output: EvalEstimateAssumptions.judgeOutputTokens)
            var item = EvalEstimate.Row(row: row, review: nil, judge: judge, leftOut: nil, tasks: 0, cost: 0)
            switch try await prepare(row) {
            case .leftOut(let status, let detail):
                judge = TokenUsage()
                item.judge = judge
                item.leftOut = (status, detail)
            case .ready(let prepared):
                item.review = prepared.estimate
                item.tasks = prepared.plan.tasks.count
                item.cost = prepared.estimate.cost.flatMap { review in
                    prices.price(for: judgeModel).map { review + $0.cost(of: judge) }
                }
            }
            rows.append(item)
            for run in 1...max(1, runs) {
                if finishedKeys.contains([run, row.index]) {
                    finished += 1
                    continue
                }
                if let review = item.review {
                    usage += review.usage
                    reviewCost = reviewCost.flatMap { total in review.cost.map { total + $0 } }
                }
                judgeUsage += judge
            }
        }
        let judgeCost = prices.price(for: judgeModel)?.cost(of: judgeUsage)
        let cost = reviewCost.flatMap { review in judgeUsage.total == 0 ? review : judgeCost.map { review + $0 } }
        return EvalEstimate(rows: rows, runs: runs, model: configuration.model.name, finished: finished,
                            usage: usage + judgeUsage, cost: cost)
    }
}

extension EvalEstimate {
    /// The dry run's listing: each row's tasks and estimate, the rows left out and why,
    /// and the total.
    public var listing: String {
        var lines: [String] = []
        for item in rows {
            let what: String
            if let leftOut = item.leftOut {
                what = "left out (\(leftOut.status.rawValue)): \(leftOut.detail)"
            } else if let review = item.review {
                let tokens = review.usage.total + item.judge.total
                what = "\(item.tasks) task\(item.tasks == 1 ? "" : "s"), ~\(tokens) tokens with the judge"
                    + (item.cost.map { String(format: ", ~$%.4f", $0) } ?? "")
            } else {
                what = "?"
            }
            lines.append("\(item.row.label) \(item.row.commit.prefix(12)) [\(item.row.subsystem)]: \(what)")
        }
        let counted = rows.filter { $0.leftOut == nil }.count
        lines.append("")
        lines.append("\(counted) of \(rows.count) row\(rows.count == 1 ? "" : "s") to review, \(runs) run\(runs == 1 ? "" : "s")"
            + (finished > 0 ? "; \(finished) row run\(finished == 1 ? "" : "s") already finished (not counted below)" : ""))
        let total = cost.map { String(format: "$%.2f", $0) } ?? "no price for \(model) in [prices]"
        lines.append("estimated: \(usage.total) tokens (\(usage.cacheRead) cache reads), \(total); "
            + "per reviewed patch: " + (counted == 0 ? "-" : perPatch(counted)))
        lines.append("the estimate covers the review tasks and one judge request per row; the verification "
            + "pass and context-tool turns come on top")
        return lines.joined(separator: "\n") + "\n"
    }

    private func perPatch(_ counted: Int) -> String {
        let runsToDo = max(1, counted * runs - finished)
        let tokens = usage.total / runsToDo
        return "~\(tokens) tokens" + (cost.map { String(format: ", ~$%.4f", $0 / Double(runsToDo)) } ?? "")
    }
}
