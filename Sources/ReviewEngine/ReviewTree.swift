import Foundation

/// The tree a review reads, prepared once per run: the provider, and every task's
/// deterministic code context computed before any model call (so `plan --tree`, the dry
/// run and the review show the same context).
public struct ReviewTree: Sendable {
    public let provider: any CodeContextProvider
    /// Task id to its context; a task of a patch that did not apply has none.
    public let contexts: [String: TaskCodeContext]
    /// The token budget each task's context was computed within.
    public let budgetTokens: Int

    public var summary: TreeSummary { provider.summary }

    public init(provider: any CodeContextProvider, contexts: [String: TaskCodeContext], budgetTokens: Int) {
        self.provider = provider
        self.contexts = contexts
        self.budgetTokens = budgetTokens
    }

    /// Asks the provider for the context of every task of `plan`, one task at a time (the
    /// provider runs git; the tasks of one patch share its caches).
    public static func prepare(provider: any CodeContextProvider, plan: ReviewPlan,
                               budgetTokens: Int) async -> ReviewTree {
        var contexts: [String: TaskCodeContext] = [:]
        for task in plan.tasks {
            if let context = await provider.context(for: task, budgetTokens: budgetTokens) {
                contexts[task.id] = context
            }
        }
        return ReviewTree(provider: provider, contexts: contexts, budgetTokens: budgetTokens)
    }

    /// What one task's request says about the tree.
    public func taskTree(for task: ReviewTask) -> TaskTree {
        TaskTree(base: summary.baseDescription, context: contexts[task.id],
                 notAppliedReason: summary.notApplied[task.patchIndex])
    }
}

/// The tree as one task's request shows it.
public struct TaskTree: Sendable, Hashable {
    /// The base, for a person: `base-commit: 1a2b3c4d5e6f (v6.1-rc3)`.
    public var base: String
    /// Nil when the task's patch did not apply.
    public var context: TaskCodeContext?
    /// Git's reason, when the patch did not apply.
    public var notAppliedReason: String?

    public init(base: String, context: TaskCodeContext?, notAppliedReason: String? = nil) {
        self.base = base
        self.context = context
        self.notAppliedReason = notAppliedReason
    }
}
