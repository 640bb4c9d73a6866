import Foundation

/// Why a task has no review, with the model's raw answer when there was one.
public struct TaskFailure: Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    /// The answer that could not be used (malformed tool input, a cut answer), kept for
    /// the report.
    public var rawAnswer: String?

    public init(reason: String, rawAnswer: String? = nil) {
        self.reason = reason
        self.rawAnswer = rawAnswer
    }

    public var description: String { reason }
}

public enum TaskStatus: Sendable, Hashable {
    case reviewed(fromCache: Bool)
    case failed(TaskFailure)
    /// Not started because the run stopped (budget).
    case notReviewed(reason: String)
}

public struct TaskOutcome: Sendable, Hashable {
    public var taskID: String
    public var patchIndex: Int
    public var status: TaskStatus
    /// Findings the model reported for this task, before anchoring.
    public var reportedFindings: Int
}

/// The review of one patch.
public struct PatchReview: Sendable, Hashable {
    public var patchIndex: Int
    public var title: String
    public var tasks: [TaskOutcome]
    public var skipped: [SkippedPart]
    /// Findings kept, highest severity first.
    public var findings: [AnchoredFinding]
    /// Findings left out and why (unanchored, refuted, below the floor, over the cap, seen
    /// on an earlier revision).
    public var dropped: [DroppedFinding]
    /// Requests about this patch, verification included.
    public var usage: TokenUsage
    public var cost: Double?
}

/// The outcome of a run: every task reviewed, failed or listed as not reviewed.
public struct ReviewReport: Sendable, Hashable {
    public var identity: SeriesIdentity
    public var patches: [PatchReview]
    public var usage: TokenUsage
    public var cost: Double?
    /// The budget ran out: tasks after that point are `notReviewed`.
    public var stoppedByBudget: Bool
    /// Requests that went to the transport (retries included).
    public var apiCalls: Int
    /// Requests answered from the response cache.
    public var cacheHits: Int
    /// Problems with the state database; the run went on without it.
    public var warnings: [String]
    /// The tree the review read, nil when it had no tree context.
    public var tree: TreeSummary?
    /// Context-tool calls answered over the run.
    public var toolCalls: Int = 0
    /// Set when the run stopped because the API refused the key or never answered.
    public var failure: RunFailure? = nil

    public var outcomes: [TaskOutcome] { patches.flatMap(\.tasks) }

    /// Tasks the run did not review (budget), by id.
    public var unreviewedTasks: [String] {
        outcomes.compactMap { if case .notReviewed = $0.status { $0.taskID } else { nil } }
    }

    public var failedTasks: [TaskOutcome] {
        outcomes.filter { if case .failed = $0.status { true } else { false } }
    }
}

/// Why a run stopped before its plan was done, other than the budget: nothing further
/// could succeed, so the run is a failure, not a partial review.
public enum RunFailure: Sendable, Hashable {
    /// HTTP 401 or 403: the key (or its permissions) was refused.
    case rejectedCredentials(String)
    /// No answer at all, after the retries the policy allows.
    case unreachable(String)

    public var detail: String {
        switch self {
        case .rejectedCredentials(let detail), .unreachable(let detail): detail
        }
    }
}

/// Where a run is: review tasks (or, in the verification pass, findings) finished so
/// far, and what they cost.
public struct ReviewProgress: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case reviewing, verifying

        /// What `done` and `total` count.
        public var unit: String { self == .reviewing ? "tasks" : "findings" }
    }

    public var done: Int
    public var total: Int
    public var usage: TokenUsage
    public var cost: Double?
    public var phase: Phase = .reviewing

    public init(done: Int, total: Int, usage: TokenUsage, cost: Double?, phase: Phase = .reviewing) {
        self.done = done
        self.total = total
        self.usage = usage
        self.cost = cost
        self.phase = phase
    }
}
