import Foundation
import ReviewEngine

extension EvalJob {
    /// What one row in one run came to.
    enum RowEnd: Sendable {
        case finished(EvalRowResult)
        /// Not finished; tried again when the eval runs again. `stop` ends the eval: the
        /// budget was used up, or the API refused the key or never answered.
        case undone(reason: String, cost: Double, apiCalls: Int, stop: Stop?)
    }

    enum Stop: Sendable, Equatable {
        case budget
        case failure(String)
    }

    /// The response cache key of run `run`: answers of the first run are shared with any
    /// review of the same request; later runs ask the model again, each under its own key,
    /// so a resumed run still finds the answers it already paid for.
    static func cacheSalt(run: Int) -> String? { run == 1 ? nil : "eval-run-\(run)" }

    /// Runs every row `runs` times, skipping rows a state database already holds as
    /// finished, and stops cleanly when the budget is used up (the rows not done are
    /// listed) or the API refuses the key or never answers.
    public func run(transport: any MessagesTransport, store: StateStore,
                    progress: (@Sendable (EvalProgress) -> Void)? = nil) async throws -> EvalOutcome {
        let prompts = try JudgePrompts.make(library: library)
        let model = stateModel
        var finished: [Int: [Int: EvalRowResult]] = [:]
        for stored in try store.evalResults(benchmark: benchmark.hash, model: model) {
            // A record this version cannot read is done again rather than trusted.
            if let result = try? JSONDecoder().decode(EvalRowResult.self, from: stored.result) {
                finished[stored.run, default: [:]][stored.row] = result
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        var outcome = EvalOutcome(benchmark: benchmark, rows: rows, runs: runs, model: configuration.model.name,
                                  judgeModel: judgeModel ?? configuration.model.name, results: [], undone: [],
                                  reused: 0, apiCalls: 0, spent: 0, stoppedByBudget: false, failure: nil, seconds: 0)
        for run in 1...max(1, runs) {
            for (position, row) in rows.enumerated() {
                defer {
                    progress?(EvalProgress(run: run, runs: runs, done: position + 1, total: rows.count, cost: outcome.spent))
                }
                if let done = finished[run]?[row.index] {
                    outcome.results.append(done)
                    outcome.reused += 1
                    continue
                }
                let remaining = budgetUSD.map { $0 - outcome.spent }
                if outcome.stoppedByBudget || outcome.failure != nil || (remaining.map { $0 <= 0 } ?? false) {
                    if remaining.map({ $0 <= 0 }) ?? false { outcome.stoppedByBudget = true }
                    let why = outcome.failure == nil ? "not started: the budget was used up" : "not started: the API failed"
                    outcome.undone.append(EvalRowUndone(row: row.index, run: run, commit: row.commit, reason: why))
                    continue
                }
                let end: RowEnd
                do {
                    end = try await evaluate(row, run: run, budget: remaining, transport: transport, store: store,
                                             prompts: prompts)
                } catch {
                    end = .undone(reason: "\(error)", cost: 0, apiCalls: 0, stop: nil)
                }
                switch end {
                case .finished(let result):
                    outcome.results.append(result)
                    outcome.spent += result.cost ?? 0
                    outcome.apiCalls += result.apiCalls
                    let data = try JSONEncoder().encode(result)
                    try store.recordEvalResult(benchmark: benchmark.hash, model: model, row: row.index, run: run,
                                               result: data)
                case .undone(let reason, let cost, let calls, let stop):
                    outcome.undone.append(EvalRowUndone(row: row.index, run: run, commit: row.commit, reason: reason))
                    outcome.spent += cost
                    outcome.apiCalls += calls
                    switch stop {
                    case .budget?: outcome.stoppedByBudget = true
                    case .failure(let detail)?: outcome.failure = detail
                    case nil: break
                    }
                }
            }
        }
        outcome.seconds = Self.seconds(clock.now - started)
        return outcome
    }

    /// Reviews one row's commit against its parent and judges the kept findings.
    func evaluate(_ row: EvalRow, run: Int, budget: Double?, transport: any MessagesTransport, store: StateStore,
                  prompts: JudgePrompts) async throws -> RowEnd {
        let clock = ContinuousClock()
        let started = clock.now
        func leftOut(_ status: EvalRowResult.Status, _ detail: String) -> RowEnd {
            .finished(EvalRowResult(row: row.index, run: run, commit: row.commit, subsystem: row.subsystem,
                                    status: status, detail: detail))
        }
        let prepared: PreparedReview
        switch try await prepare(row) {
        case .leftOut(let status, let detail): return leftOut(status, detail)
        case .ready(let ready): prepared = ready
        }

        let salt = Self.cacheSalt(run: run)
        let reviewBudget = budget ?? (configuration.review.budgetUSD > 0 ? configuration.review.budgetUSD : nil)
        // Drafts are not written; the directory is never used.
        let job = ReviewJob(prepared: prepared, configuration: configuration,
                            outputDirectory: URL(fileURLWithPath: "/nonexistent/reviewbot-eval"), verify: verify)
        let report = try await job.review(transport: transport, store: store, adjust: { engine in
            engine.cacheSalt = salt
            engine.budget.maxCost = reviewBudget
            // The benchmark's commits are not the maintainer's series: remembering their
            // findings would hide them from a later review of the same code.
            engine.recordFingerprints = false
        })
        let reviewCost = report.cost ?? 0
        if let failure = report.failure {
            return .undone(reason: "the API failed: \(failure.detail)", cost: reviewCost, apiCalls: report.apiCalls,
                           stop: .failure(failure.detail))
        }
        if report.stoppedByBudget {
            return .undone(reason: "the budget was used up during the review", cost: reviewCost,
                           apiCalls: report.apiCalls, stop: .budget)
        }
        if let failed = report.failedTasks.first {
            guard case .failed(let why) = failed.status else { preconditionFailure("failedTasks holds failures") }
            return .undone(reason: "review task \(failed.taskID) failed: \(why.reason)", cost: reviewCost,
                           apiCalls: report.apiCalls, stop: nil)
        }

        var judgeEngine = try configuration.reviewConfiguration(verify: verify)
        if let judgeModel { judgeEngine.request.model = judgeModel }
        judgeEngine.cacheSalt = salt
        judgeEngine.budget.maxCost = reviewBudget.map { $0 - reviewCost }
        let findings = report.patches.flatMap(\.findings)
        let runner = ReviewRunner(transport: transport, store: store, configuration: judgeEngine)
        let judged = await runner.judge(problem: row.problemDescription, findings: findings, prompts: prompts)
        let usage = report.usage + judged.usage
        // Nil when a model has no price; a judge that sent nothing costs nothing.
        let cost: Double? = report.cost.flatMap { review in judged.usage.total == 0 ? review : judged.cost.map { review + $0 } }
        let calls = report.apiCalls + judged.apiCalls
        guard let judgement = judged.judgement else {
            let spent = reviewCost + (judged.cost ?? 0)
            if judged.stopped {
                return .undone(reason: "the budget was used up before the judge", cost: spent, apiCalls: calls, stop: .budget)
            }
            return .undone(reason: "the judge failed: \(judged.failure?.reason ?? "no answer")", cost: spent,
                           apiCalls: calls, stop: nil)
        }
        return .finished(EvalRowResult(
            row: row.index, run: run, commit: row.commit, subsystem: row.subsystem, status: .judged,
            verdict: judgement.verdict, matchedFinding: judgement.finding, judgeReason: judgement.reason,
            findings: findings.map(EvalFinding.init), usage: usage, cost: cost,
            seconds: Self.seconds(clock.now - started), apiCalls: calls))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
