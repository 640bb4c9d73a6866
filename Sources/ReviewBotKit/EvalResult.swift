import Foundation
import ReviewEngine

/// A kept finding of a benchmark row's review, as `eval.json` lists it.
public struct EvalFinding: Sendable, Hashable, Codable {
    public var file: String
    /// The diff line it is anchored on.
    public var line: String
    public var category: String
    public var severity: String
    public var comment: String

    /// Comments are cut here in the eval's records: enough to recognise a finding.
    static let commentBytes = 2_000

    public init(_ finding: AnchoredFinding) {
        file = finding.file
        line = finding.line.text
        category = finding.finding.category.rawValue
        severity = finding.finding.severity.rawValue
        comment = finding.finding.comment.utf8.count <= Self.commentBytes ? finding.finding.comment
            : String(decoding: finding.finding.comment.utf8.prefix(Self.commentBytes), as: UTF8.self) + " [cut]"
    }
}

/// One benchmark row in one run, finished: judged, or left out because its commit is not
/// in the tree or its patch does not apply at its parent. Kept in the state database, so
/// an interrupted eval does not repeat it.
public struct EvalRowResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case judged
        /// The commit is not in the tree (listed, not counted).
        case missingCommit = "missing-commit"
        /// The commit's patch does not apply at its parent (listed, not counted).
        case notApplied = "not-applied"
    }

    public var row: Int
    public var run: Int
    public var commit: String
    public var subsystem: String
    public var status: Status
    /// Why the row was left out.
    public var detail: String?
    public var verdict: DetectionVerdict?
    /// Index into `findings` of the one the judge matched.
    public var matchedFinding: Int?
    public var judgeReason: String?
    public var findings: [EvalFinding]
    /// The review and the judge together.
    public var usage: TokenUsage
    public var cost: Double?
    /// Wall time of the review and the judge.
    public var seconds: Double
    /// Requests sent for the row (0 when every answer came from the response cache).
    public var apiCalls: Int

    public init(row: Int, run: Int, commit: String, subsystem: String, status: Status, detail: String? = nil,
                verdict: DetectionVerdict? = nil, matchedFinding: Int? = nil, judgeReason: String? = nil,
                findings: [EvalFinding] = [], usage: TokenUsage = TokenUsage(), cost: Double? = nil,
                seconds: Double = 0, apiCalls: Int = 0) {
        self.row = row
        self.run = run
        self.commit = commit
        self.subsystem = subsystem
        self.status = status
        self.detail = detail
        self.verdict = verdict
        self.matchedFinding = matchedFinding
        self.judgeReason = judgeReason
        self.findings = findings
        self.usage = usage
        self.cost = cost
        self.seconds = seconds
        self.apiCalls = apiCalls
    }

    public var isCounted: Bool { status == .judged }
}

/// A row that did not finish in a run: a review task or the judge failed, or the budget
/// stopped the eval before it. It is tried again when the eval is run again.
public struct EvalRowUndone: Sendable, Hashable, Codable {
    public var row: Int
    public var run: Int
    public var commit: String
    public var reason: String
}

/// Figures over a set of judged rows (one run, or one subsystem in one run).
public struct EvalFigures: Sendable, Hashable, Codable {
    public var rows: Int
    public var detected: Int
    public var partial: Int
    public var findings: Int
    /// Findings no known problem matched: every finding except the one the judge matched.
    public var unmatchedFindings: Int
    public var usage: TokenUsage
    /// Nil when some row had no price.
    public var cost: Double?
    public var seconds: Double

    public init(_ results: [EvalRowResult]) {
        let judged = results.filter(\.isCounted)
        rows = judged.count
        detected = judged.filter { $0.verdict == .detected }.count
        partial = judged.filter { $0.verdict == .partial }.count
        findings = judged.reduce(0) { $0 + $1.findings.count }
        unmatchedFindings = judged.reduce(0) { $0 + $1.findings.count - ($1.matchedFinding == nil ? 0 : 1) }
        usage = judged.reduce(TokenUsage()) { $0 + $1.usage }
        cost = judged.contains { $0.cost == nil } ? nil : judged.reduce(0) { $0 + ($1.cost ?? 0) }
        seconds = judged.reduce(0) { $0 + $1.seconds }
    }

    /// Detected rows over judged rows.
    public var recall: Double? { rows == 0 ? nil : Double(detected) / Double(rows) }
    /// Detected and partial rows over judged rows.
    public var recallWithPartial: Double? { rows == 0 ? nil : Double(detected + partial) / Double(rows) }
    public var findingsPerPatch: Double? { rows == 0 ? nil : Double(findings) / Double(rows) }
    /// The share of findings that match no known problem: an upper bound on the false
    /// positive rate, since a finding may be right about a problem the benchmark does not
    /// list.
    public var unmatchedShare: Double? { findings == 0 ? nil : Double(unmatchedFindings) / Double(findings) }
    public var tokensPerPatch: Double? { rows == 0 ? nil : Double(usage.total) / Double(rows) }
    public var dollarsPerPatch: Double? { rows == 0 ? nil : cost.map { $0 / Double(rows) } }
}

/// Mean and spread of one figure over the runs.
public struct EvalSpread: Sendable, Hashable, Codable {
    public var runs: Int
    public var mean: Double
    /// Sample standard deviation (n - 1); 0 for a single run.
    public var standardDeviation: Double
    public var min: Double
    public var max: Double

    /// Nil when no run has a value (no judged row).
    public init?(_ values: [Double?]) {
        let present = values.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        runs = present.count
        mean = present.reduce(0, +) / Double(present.count)
        let mean = mean
        standardDeviation = present.count < 2 ? 0
            : (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count - 1)).squareRoot()
        min = present.min()!
        max = present.max()!
    }
}

/// Every figure of the eval over its runs: overall, and per subsystem.
public struct EvalSummary: Sendable, Hashable, Codable {
    public struct Group: Sendable, Hashable, Codable {
        /// `all`, or the subsystem as the benchmark names it.
        public var name: String
        /// Per run, in run order.
        public var perRun: [EvalFigures]
        public var recall: EvalSpread?
        public var recallWithPartial: EvalSpread?
        public var findingsPerPatch: EvalSpread?
        public var unmatchedShare: EvalSpread?
        public var tokensPerPatch: EvalSpread?
        public var dollarsPerPatch: EvalSpread?
        public var seconds: EvalSpread?

        init(name: String, perRun: [EvalFigures]) {
            self.name = name
            self.perRun = perRun
            recall = EvalSpread(perRun.map(\.recall))
            recallWithPartial = EvalSpread(perRun.map(\.recallWithPartial))
            findingsPerPatch = EvalSpread(perRun.map(\.findingsPerPatch))
            unmatchedShare = EvalSpread(perRun.map(\.unmatchedShare))
            tokensPerPatch = EvalSpread(perRun.map(\.tokensPerPatch))
            dollarsPerPatch = EvalSpread(perRun.map(\.dollarsPerPatch))
            seconds = EvalSpread(perRun.map { $0.rows == 0 ? nil : $0.seconds })
        }
    }

    public var overall: Group
    /// Sorted by name.
    public var subsystems: [Group]

    /// `results` of runs 1...`runs`.
    public init(results: [EvalRowResult], runs: Int) {
        let byRun = (1...max(1, runs)).map { run in results.filter { $0.run == run } }
        overall = Group(name: "all", perRun: byRun.map(EvalFigures.init))
        let names = Set(results.filter(\.isCounted).map(\.subsystem)).sorted()
        subsystems = names.map { name in
            Group(name: name, perRun: byRun.map { EvalFigures($0.filter { $0.subsystem == name }) })
        }
    }
}
