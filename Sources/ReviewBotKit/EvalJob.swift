import Foundation
import MboxParser
import PromptLibrary
import ReviewEngine

/// Where a benchmark row's patch and tree come from. The real one reads a local kernel
/// tree (`EvalTreeSource`); tests may give the patches of their own commits.
public protocol EvalPatchSource: Sendable {
    /// `git format-patch -1 COMMIT` and the commit's parent, or why there is none.
    func patch(of commit: String) async throws -> EvalCommitPatch
    /// The tree at `parent` with the row's patch applied, for the review's code context;
    /// nil reviews the diff alone.
    func tree(for prepared: PreparedReview, parent: String) async throws -> (any CodeContextProvider)?
}

/// A benchmark commit as the source found it.
public enum EvalCommitPatch: Sendable {
    /// The commit is not in the tree (or is not a commit).
    case missing(String)
    /// The commit's patch does not apply at its parent (why, as git says it).
    case notApplied(String)
    /// The patch mail `git format-patch -1` writes, and the full id of the commit's parent.
    case found(mail: String, parent: String)
}

/// What the eval reports as it goes, for a progress line.
public struct EvalProgress: Sendable, Hashable {
    public var run: Int
    public var runs: Int
    /// Rows finished in this run so far (reused ones included), of `total`.
    public var done: Int
    public var total: Int
    public var cost: Double
}

/// `reviewbot eval BENCH.json --tree PATH`: each row's commit reviewed against its parent
/// through the normal review (ReviewJob and ReviewRunner, with tree context), then judged
/// with `judge_detection`; finished rows are kept in the state database, so an interrupted
/// eval continues where it stopped, and `--runs N` repeats the whole set for a spread.
public struct EvalJob: Sendable {
    public var benchmark: EvalBenchmark
    /// The rows to run (the benchmark's, or `--sample`'s subset), in file order.
    public var rows: [EvalRow]
    public var configuration: Configuration
    public var library: PromptLibrary
    public var source: any EvalPatchSource
    public var runs: Int
    /// `--no-verify` gives false; nil keeps `[review] verify`.
    public var verify: Bool?
    /// Dollars for the whole eval (`--budget`); nil gives each row's review the budget a
    /// review has (`[review] budget_usd`).
    public var budgetUSD: Double?
    /// `--judge-model`: the judge's model; nil uses `[model] name`.
    public var judgeModel: String?

    public init(benchmark: EvalBenchmark, rows: [EvalRow]? = nil, configuration: Configuration,
                library: PromptLibrary, source: any EvalPatchSource, runs: Int = 1, verify: Bool? = nil,
                budgetUSD: Double? = nil, judgeModel: String? = nil) {
        self.benchmark = benchmark
        self.rows = rows ?? benchmark.rows
        self.configuration = configuration
        self.library = library
        self.source = source
        self.runs = runs
        self.verify = verify
        self.budgetUSD = budgetUSD
        self.judgeModel = judgeModel
    }

    /// The key of this eval's rows in the state database: the benchmark and the model.
    var stateModel: String { configuration.model.name + (judgeModel.map { " judged by " + $0 } ?? "") }

    /// A row ready to review, or why it is left out.
    enum PreparedRow: Sendable {
        case leftOut(EvalRowResult.Status, String)
        case ready(PreparedReview)
    }

    /// The row's commit as a one-patch series with its tree context: the same preparation
    /// `reviewbot review` does, with the base forced to the commit's parent.
    func prepare(_ row: EvalRow) async throws -> PreparedRow {
        let mail: String
        let parent: String
        switch try await source.patch(of: row.commit) {
        case .missing(let reason): return .leftOut(.missingCommit, reason)
        case .notApplied(let reason): return .leftOut(.notApplied, reason)
        case .found(let text, let id): (mail, parent) = (text, id)
        }
        let message: MailMessage
        do { message = try MailMessage(raw: mail, location: MessageLocation(file: row.commit, number: 1)) } catch {
            return .leftOut(.notApplied, "git format-patch gave no mail that can be read: \(error)")
        }
        guard let series = SeriesCatalog(messages: [SeriesMessage(message)]).entries.first?.series,
              let patch = series.patches.first?.message.patch, !patch.files.isEmpty else {
            return .leftOut(.notApplied, "the commit has no diff git format-patch can write (a merge, or an empty commit)")
        }
        // The evidence step as review runs it, on the commit's own mail: no earlier round
        // (it is revision 1), fix checks only against a configured tree.
        let reader = SourceReader(configuration: configuration, environment: ProcessInfo.processInfo.environment)
        let message0 = SeriesMessage(message)
        var prepared = try await PreparedReview.prepare(
            series: series, selection: ReviewSelection(source: row.commit), notes: [], configuration: configuration,
            library: library, evidence: EvidenceSources(messages: [message0], reader: reader, store: nil,
                                                        tree: TreeFacts.configured(reader)))
        if let provider = try await source.tree(for: prepared, parent: parent) {
            if let reason = provider.summary.notApplied[0] {
                return .leftOut(.notApplied, "does not apply at its parent \(parent.prefix(12)): \(reason)")
            }
            await prepared.attachTree(provider, budgetTokens: configuration.tree.contextTokens)
        }
        return .ready(prepared)
    }
}

/// What an eval run left: every finished row (those of earlier, interrupted invocations
/// included), what is still to do, and what could not be read.
public struct EvalOutcome: Sendable {
    public var benchmark: EvalBenchmark
    public var rows: [EvalRow]
    public var runs: Int
    public var model: String
    public var judgeModel: String
    public var results: [EvalRowResult]
    public var undone: [EvalRowUndone]
    /// Rows finished by an earlier invocation and not asked again.
    public var reused: Int
    /// Requests this invocation sent.
    public var apiCalls: Int
    /// What this invocation spent.
    public var spent: Double
    public var stoppedByBudget: Bool
    /// Set when the API refused the key or never answered: the eval stopped.
    public var failure: String?
    /// Wall time of this invocation.
    public var seconds: Double

    public var summary: EvalSummary { EvalSummary(results: results, runs: runs) }

    /// Something was left undone: a row failed, or the budget or the API stopped the eval.
    public var isIncomplete: Bool { !undone.isEmpty || stoppedByBudget || failure != nil }
}
