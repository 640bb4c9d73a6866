import Foundation
import MboxParser
import ReviewEngine

/// `reviewbot review`: a prepared series reviewed (or, dry, shown as the requests it
/// would send) and written to the output directory.
public struct ReviewJob: Sendable {
    public var prepared: PreparedReview
    public var configuration: Configuration
    public var outputDirectory: URL
    public var b4Directory: URL?
    /// `--no-verify` gives false; nil keeps `[review] verify`.
    public var verify: Bool?
    /// `--force`: replace drafts the maintainer edited or deleted, and set aside another
    /// review's files even when some were edited (see OutputDirectory).
    public var force: Bool
    /// Who the drafts are from; nil finds it from the configuration and git when the run starts.
    public var reviewer: MailAddress?
    /// `--fresh`: ask the model again instead of reading the response cache (answers are
    /// still stored).
    public var fresh: Bool
    /// Watch mode's SIGTERM: no further model call starts, and a run stopped this way
    /// writes nothing (it is run again later, its answers from the response cache).
    public var stop: RunStop? = nil

    public init(prepared: PreparedReview, configuration: Configuration, outputDirectory: URL,
                b4Directory: URL? = nil, verify: Bool? = nil, fresh: Bool = false, force: Bool = false,
                reviewer: MailAddress? = nil) {
        self.prepared = prepared
        self.configuration = configuration
        self.outputDirectory = outputDirectory
        self.b4Directory = b4Directory
        self.verify = verify
        self.fresh = fresh
        self.force = force
        self.reviewer = reviewer
    }

    /// The review the output directory's manifest records.
    public var reviewIdentity: ReviewIdentity {
        ReviewIdentity(series: prepared.reviewSeries.identity.key, revision: prepared.reviewSeries.identity.revision,
                       title: prepared.seriesTitle)
    }

    /// No request is sent: the first request of every review task is written under
    /// `DIR/prompts/` (`P1-T1.json` byte for byte as it would be posted, code context
    /// included, `P1-T1.txt` to read), with the plan in `DIR/plan.txt` and `DIR/plan.json`.
    public func writeDryRun() throws -> [String] {
        let review = try configuration.reviewConfiguration(verify: verify)
        let settings = review.request
        let prompts = outputDirectory.appendingPathComponent("prompts")
        var files: [(URL, Data)] = [
            (outputDirectory.appendingPathComponent("plan.txt"), Data(prepared.planListing.utf8)),
            (outputDirectory.appendingPathComponent("plan.json"), Data(prepared.planJSON.utf8)),
        ]
        for task in prepared.plan.tasks {
            let prefix = PromptAssembly.prefix(bundle: prepared.bundles[task.patchIndex], series: prepared.reviewSeries,
                                               patchIndex: task.patchIndex, cacheTTL: settings.cacheTTL)
            let request = try PromptAssembly.reviewRequest(task: task, prefix: prefix,
                                                           bundle: prepared.bundles[task.patchIndex], settings: settings,
                                                           tree: prepared.tree?.taskTree(for: task),
                                                           maxToolTurns: review.maxToolTurns)
            files.append((prompts.appendingPathComponent("\(task.id).json"), try request.encoded()))
            files.append((prompts.appendingPathComponent("\(task.id).txt"), Data(Self.readable(request).utf8)))
        }
        do {
            try FileManager.default.createDirectory(at: prompts, withIntermediateDirectories: true)
            for (url, data) in files { try data.write(to: url, options: .atomic) }
        } catch {
            throw ReviewBotError("cannot write \(outputDirectory.path): \(error.localizedDescription)", kind: .usage)
        }
        return ["dry run: no request sent; \(prepared.plan.tasks.count) request(s) written to \(prompts.path)"]
    }

    /// A request as a person reads it: each block, where the cache breakpoints are, and the
    /// tools offered.
    static func readable(_ request: MessagesAPI.Request) -> String {
        func mark(_ control: MessagesAPI.CacheControl?) -> String {
            control == nil ? "" : "\n----- cache breakpoint -----"
        }
        var parts = ["===== tools: \(request.tools.map(\.name).joined(separator: ", ")); tool_choice: "
                     + (request.toolChoice.name ?? request.toolChoice.type) + " ====="]
        parts.append("===== system =====")
        parts += request.system.map { $0.text + mark($0.cacheControl) }
        for message in request.messages {
            parts.append("===== \(message.role) =====")
            parts += message.content.map { ($0.text ?? "(tool call)") + mark($0.cacheControl) }
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// Reviews the series through `transport`, drafts the replies and writes them. The
    /// output directory is checked before the first request, so a review that could not
    /// be written is not paid for. A run the API refused (401/403) or never answered
    /// throws (exit 3), after writing what it did review, if anything. `notice` hears of
    /// long waits (rate limits, back-offs) so the command can say so.
    public func run(transport: any MessagesTransport, store: StateStore?, date: Date,
                    progress: (@Sendable (ReviewProgress) -> Void)? = nil,
                    notice: (@Sendable (ReviewWait) -> Void)? = nil) async throws -> ReviewOutcome {
        let reviewer = try self.reviewer ?? configuration.reviewer()
        let review = reviewIdentity
        try OutputDirectory(outputDirectory).check(review: review, force: force)
        if let b4Directory { try OutputDirectory(b4Directory).check(review: review, force: force) }
        var report = try await self.review(transport: transport, store: store, progress: progress, notice: notice)
        let settings = DraftSettings(reviewer: reviewer, disclosure: configuration.drafts.disclosure,
                                     signature: configuration.drafts.signature,
                                     ccOriginalRecipients: configuration.drafts.ccOriginalRecipients)
        let includeUnverified = configuration.drafts.includeUnverified
        var drafts = ReviewDraft.drafts(for: prepared.patches, report: report, settings: settings, date: date,
                                        includeUnverified: includeUnverified)
        if let cover = ReviewDraft.coverReply(series: prepared.series, patches: prepared.patches, report: report,
                                              drafts: drafts, minPatches: configuration.drafts.coverReplyMinPatches,
                                              includeUnverified: includeUnverified, settings: settings, date: date) {
            drafts[0] = cover
        }
        recordKeptFindings(&report, drafts: drafts, includeUnverified: includeUnverified, store: store)
        var outcome = ReviewOutcome(
            seriesTitle: prepared.seriesTitle, revision: prepared.series.revision, patches: prepared.patches,
            report: report, drafts: drafts)
        outcome.includeUnverified = includeUnverified
        outcome.verificationRan = try configuration.reviewConfiguration(verify: verify).verify
        outcome.evidence = prepared.reviewSeries.patches.map(\.evidence)
        outcome.notes = outcome.drafts.keys.sorted().flatMap { number in
            outcome.drafts[number]!.notes.map { "\(ReviewOutcome.draftNames(number).mail): \($0)" }
        }
        let reviewedAny = report.outcomes.contains { if case .reviewed = $0.status { true } else { false } }
        if Self.wasStopped(outcome, by: stop) { return outcome }
        if report.failure == nil || reviewedAny {
            outcome.notes += try outcome.write(to: outputDirectory, b4Directory: b4Directory, review: review,
                                               force: force, date: date)
        }
        if let failure = report.failure {
            throw ReviewBotError(failureMessage(failure, wrote: reviewedAny), kind: .unavailable)
        }
        return outcome
    }

    /// The review itself, without drafts: the same runner, configuration and response
    /// cache `run` uses (`reviewbot eval` reviews each benchmark commit through this).
    /// `adjust` changes the engine's settings for this run only.
    public func review(transport: any MessagesTransport, store: StateStore?,
                       progress: (@Sendable (ReviewProgress) -> Void)? = nil,
                       notice: (@Sendable (ReviewWait) -> Void)? = nil,
                       adjust: (inout ReviewConfiguration) -> Void = { _ in }) async throws -> ReviewReport {
        var engine = try configuration.reviewConfiguration(verify: verify)
        engine.readCache = !fresh
        adjust(&engine)
        var runner = ReviewRunner(transport: transport, store: store, configuration: engine)
        runner.progress = progress
        runner.notice = notice
        runner.stop = stop
        return try await runner.run(plan: prepared.plan, series: prepared.reviewSeries, prompts: prepared.bundles,
                                    tree: prepared.tree)
    }

    /// A run stopped from outside (watch mode's SIGTERM) before all its tasks were sent: it
    /// writes nothing and is run again later, its answers from the response cache.
    public static func wasStopped(_ outcome: ReviewOutcome, by stop: RunStop?) -> Bool {
        stop?.requested != nil && !outcome.report.unreviewedTasks.isEmpty
    }

    /// The one line a failed run ends with: what the API said, which setting to fix.
    func failureMessage(_ failure: RunFailure, wrote: Bool) -> String {
        let written = wrote ? "; what was reviewed before is in \(outputDirectory.path)/report.md" : "; nothing was written"
        switch failure {
        case .rejectedCredentials(let detail):
            let setting = configuration.model.auth == APIAuthStyle.bearer.rawValue
                ? "[model] auth = \"bearer\" sends it as Authorization: Bearer"
                : "a gateway that wants Authorization: Bearer needs [model] auth = \"bearer\""
            return "the API at \(configuration.model.baseURL) refused the key (\(detail)): check "
                + "\(Configuration.apiKeyVariable) (\(setting)); the run stopped at the first refusal\(written)"
        case .unreachable(let detail):
            // The retry policy says how often it tried; a DNS, TLS or URL problem is not retried.
            let tries = detail.contains("attempts") ? "" : " (not retried: a DNS, TLS or URL problem does not pass)"
            return "the API at \(configuration.model.baseURL) did not answer: \(detail)\(tries); check the network, "
                + "ANTHROPIC_BASE_URL or [model] base_url\(written)"
        }
    }
}
