import Foundation

/// Runs a review plan against a Messages API transport: every task ends reviewed, failed
/// (with the reason and raw answer) or listed as not reviewed when the budget ran out.
public struct ReviewRunner: Sendable {
    public let transport: any MessagesTransport
    /// The response cache, fingerprints and usage; nil runs without state.
    public let store: StateStore?
    public let clock: any ReviewClock
    public let configuration: ReviewConfiguration
    /// A value in [0, 1) for retry jitter; injectable so tests are repeatable.
    let jitter: @Sendable () -> Double
    /// Called after each review task ends (from any task's context), for a progress line.
    public var progress: (@Sendable (ReviewProgress) -> Void)?
    /// Called before a long pause (rate-limit pacing, a retry's back-off), from any task's
    /// context, so the command can say the run is waiting and until when.
    public var notice: (@Sendable (ReviewWait) -> Void)?
    /// Once requested, no further request is sent (the ones in flight finish).
    public var stop: RunStop?

    public init(transport: any MessagesTransport, store: StateStore?, configuration: ReviewConfiguration,
                clock: any ReviewClock = SystemClock(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.transport = transport
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.jitter = jitter
    }

    /// Reviews the planned tasks, then anchors, merges, filters, checks the citations of
    /// and verifies the findings patch by patch. `prompts` holds one bundle per patch of
    /// `series`. With a `tree`, each task's request carries its code context and the model
    /// may read the tree with the context tools.
    public func run(plan: ReviewPlan, series: ReviewSeries, prompts: [PromptBundle],
                    tree: ReviewTree? = nil) async throws -> ReviewReport {
        guard plan.patches.count == series.patches.count, prompts.count == series.patches.count else {
            throw ReviewEngineError.invalidConfiguration(
                "\(plan.patches.count) planned patches, \(series.patches.count) in the series, \(prompts.count) prompt bundles")
        }
        guard configuration.concurrency >= 1 else { throw ReviewEngineError.invalidConfiguration("concurrency below 1") }
        let startedAt = clock.now()
        let price = configuration.prices.price(for: configuration.request.model)
        let ledger = RunLedger(budget: configuration.budget, price: price, cacheWarmup: configuration.cacheWarmup,
                               stop: stop)
        guard configuration.maxToolTurns >= 0 else { throw ReviewEngineError.invalidConfiguration("max_tool_turns below 0") }
        let prefixes = series.patches.indices.map {
            PromptAssembly.prefix(bundle: prompts[$0], series: series, patchIndex: $0,
                                  cacheTTL: configuration.request.cacheTTL)
        }
        let verifyPrefixes = series.patches.indices.map {
            PromptAssembly.prefix(bundle: prompts[$0], series: series, patchIndex: $0,
                                  cacheTTL: configuration.request.cacheTTL, purpose: .verification)
        }
        let context = RunContext(prompts: prompts, prefixes: prefixes, verifyPrefixes: verifyPrefixes, ledger: ledger,
                                 tree: tree)

        let total = plan.tasks.count
        let reviews = await boundedMap(plan.tasks, limit: configuration.concurrency) { task in
            let result = await review(task, context: context)
            if let progress {
                let (done, usage) = await ledger.taskDone()
                progress(ReviewProgress(done: done, total: total, usage: usage, cost: price?.cost(of: usage)))
            }
            return result
        }
        var earlier: Set<String> = []
        var rejected: Set<String> = []
        if let store {
            do {
                earlier = try store.fingerprints(seriesKey: series.identity.key, otherThan: series.identity.revision)
                rejected = try store.rejectedFingerprints()
            } catch { await ledger.warn("\(error)") }
        }
        var selections = plan.patches.map { patch in
            FindingSelection(patch: patch, reviews: reviews.filter { $0.outcome.patchIndex == patch.patchIndex },
                             earlierFingerprints: earlier, floor: configuration.severityFloor,
                             rejectedFingerprints: rejected)
        }
        if let tree {
            await checkCitations(&selections, series: series, tree: tree)
        }
        // After the citation check: a deterministic finding names what the report or the
        // tree showed, which need not be in the series.
        for index in selections.indices {
            selections[index].apply(series.patches[index].evidence, patchIndex: index, earlierFingerprints: earlier,
                                    floor: configuration.severityFloor)
        }
        if configuration.verify {
            await verify(&selections, plan: plan, context: context)
        }

        var patches: [PatchReview] = []
        for (patch, selection) in zip(plan.patches, selections) {
            let (kept, overCap) = selection.capped(at: configuration.maxFindingsPerPatch)
            let usage = await ledger.usageByPatch[patch.patchIndex] ?? TokenUsage()
            patches.append(PatchReview(
                patchIndex: patch.patchIndex, title: patch.title,
                tasks: reviews.filter { $0.outcome.patchIndex == patch.patchIndex }.map(\.outcome),
                skipped: patch.skipped, findings: kept, dropped: selection.dropped + overCap,
                usage: usage, cost: price?.cost(of: usage)))
        }
        let usage = await ledger.usage
        var report = ReviewReport(identity: series.identity, patches: patches, usage: usage,
                                  cost: price?.cost(of: usage), stoppedByBudget: await ledger.stoppedByBudget,
                                  apiCalls: await ledger.apiCalls, cacheHits: await ledger.cacheHits,
                                  warnings: await ledger.warnings)
        report.tree = tree?.summary
        report.toolCalls = await ledger.toolCalls
        report.failure = await ledger.failure
        record(&report, startedAt: startedAt)
        return report
    }

    struct RunContext: Sendable {
        var prompts: [PromptBundle]
        var prefixes: [CachedPrefix]
        var verifyPrefixes: [CachedPrefix]
        var ledger: RunLedger
        var tree: ReviewTree?
    }

    struct TaskReview: Sendable {
        var task: ReviewTask
        var outcome: TaskOutcome
        var findings: [Finding]
    }

    func review(_ task: ReviewTask, context: RunContext) async -> TaskReview {
        let result: AskResult<[Finding]>
        do {
            let block = try PromptAssembly.taskBlock(task: task, bundle: context.prompts[task.patchIndex],
                                                     tree: context.tree?.taskTree(for: task),
                                                     maxToolTurns: configuration.maxToolTurns)
            let conversation = ToolConversation(prefix: context.prefixes[task.patchIndex], taskBlock: block,
                                                purpose: .review, withContextTools: context.tree != nil)
            result = await converse(conversation, patchIndex: task.patchIndex, ledger: context.ledger,
                                    tree: context.tree, decode: ToolInput.findings)
        } catch {
            result = .failed(TaskFailure(reason: "\(error)"))
        }
        let status: TaskStatus
        var findings: [Finding] = []
        switch result {
        case .value(let reported, let fromCache):
            status = .reviewed(fromCache: fromCache)
            findings = reported
        case .failed(let failure):
            status = .failed(failure)
        case .stopped:
            status = .notReviewed(reason: await context.ledger.stopReason)
        }
        return TaskReview(task: task, outcome: TaskOutcome(taskID: task.id, patchIndex: task.patchIndex, status: status,
                                                           reportedFindings: findings.count),
                          findings: findings)
    }

    /// One `verify_finding` conversation per surviving finding (with a tree, the model may
    /// read the code around the claim and its callers first), all patches at once under the
    /// same concurrency bound; refuted findings are dropped, the rest keep their verdict.
    func verify(_ selections: inout [FindingSelection], plan: ReviewPlan, context: RunContext) async {
        let tasks = Dictionary(plan.tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // A deterministic check's finding is its own verification.
        let work = selections.indices.flatMap { patch in
            selections[patch].kept.indices.filter { !selections[patch].kept[$0].isDeterministic }.map { (patch, $0) }
        }
        let items = work.map { selections[$0.0].kept[$0.1] }
        let verdicts = await boundedMap(items, limit: configuration.concurrency) { finding -> VerificationStatus in
            let verdict = await verdict(for: finding, task: tasks[finding.taskID]!, context: context)
            if let progress {
                let (done, usage) = await context.ledger.findingVerified()
                progress(ReviewProgress(done: done, total: items.count, usage: usage,
                                        cost: context.ledger.price?.cost(of: usage), phase: .verifying))
            }
            return verdict
        }
        // Back to front, so removing a refuted finding does not shift the ones still to set.
        for ((patch, index), verdict) in zip(work, verdicts).reversed() {
            selections[patch].setVerification(verdict, at: index)
        }
    }

    /// The verification pass's verdict on one finding: its own system prompt, the finding
    /// and its diff, and with a tree the context tools before `verify_finding`.
    func verdict(for finding: AnchoredFinding, task: ReviewTask, context: RunContext) async -> VerificationStatus {
        let result: AskResult<(Verdict, String)>
        do {
            let block = try PromptAssembly.verifyBlock(finding: finding, task: task,
                                                       bundle: context.prompts[finding.patchIndex],
                                                       tree: context.tree?.taskTree(for: task),
                                                       maxToolTurns: configuration.maxToolTurns)
            let conversation = ToolConversation(prefix: context.verifyPrefixes[finding.patchIndex], taskBlock: block,
                                                purpose: .verification, withContextTools: context.tree != nil)
            result = await converse(conversation, patchIndex: finding.patchIndex, ledger: context.ledger,
                                    tree: context.tree, decode: ToolInput.verdict)
        } catch {
            result = .failed(TaskFailure(reason: "\(error)"))
        }
        switch result {
        case .value(let (verdict, reason), _):
            switch verdict {
            case .confirmed: return .confirmed(reason: reason)
            case .uncertain: return .uncertain(reason: reason)
            case .refuted: return .refuted(reason: reason)
            }
        case .failed(let failure):
            return .failed(reason: failure.reason)
        case .stopped:
            return .failed(reason: "not verified: " + (await context.ledger.stopReason))
        }
    }

    /// Saves fingerprints of the kept findings and the run's usage; a failing database
    /// becomes a warning, never a lost review.
    func record(_ report: inout ReviewReport, startedAt: Date) {
        guard let store else { return }
        let outcomes = report.outcomes
        func count(_ match: (TaskStatus) -> Bool) -> Int { outcomes.filter { match($0.status) }.count }
        do {
            if configuration.recordFingerprints {
                try store.recordFingerprints(report.patches.flatMap { $0.findings.map { ($0.fingerprint.hex, $0.file) } },
                                             seriesKey: report.identity.key, revision: report.identity.revision)
                try store.recordFindingTexts(report.storedFindings, seriesKey: report.identity.key)
            }
            try store.recordRun(RunRecord(
                seriesKey: report.identity.key, revision: report.identity.revision, model: configuration.request.model,
                startedAt: startedAt, usage: report.usage, cost: report.cost,
                tasksReviewed: count { if case .reviewed = $0 { true } else { false } },
                tasksFailed: count { if case .failed = $0 { true } else { false } },
                tasksNotReviewed: count { if case .notReviewed = $0 { true } else { false } }))
        } catch {
            report.warnings.append("\(error)")
        }
    }
}
