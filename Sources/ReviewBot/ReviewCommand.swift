import ArgumentParser
import Foundation
import ReviewBotKit
import MboxParser
import ReviewEngine

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a patch series and draft inline replies for you to edit and send.",
        discussion: """
            Reads the series, plans hunk-level tasks, asks the model
            (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), verifies the findings and writes
            to DIR: NNNN-review-inline.txt and NNNN.eml per patch with findings
            (0000.eml: a summary reply to the cover letter), drafts.mbox,
            findings.json and report.md. Nothing is mailed: send the drafts yourself,
            or with `reviewbot send DIR`.

            Without ANTHROPIC_API_KEY (or with --dry-run) no request is sent: the plan
            and every request are written under DIR (plan.txt, prompts/).

            A source holding several series needs --msgid or --match, or --all to
            review each complete series into DIR/<n>-<title>/. Above [review]
            confirm_above_usd the review asks first (off a terminal it refuses unless
            --yes or --budget is given); [review] budget_usd stops a run cleanly.

            Examples:
              reviewbot review https://lore.kernel.org/all/<message-id>/ --out review
              reviewbot review thread.mbox --out review --dry-run
              reviewbot review thread.mbox --out review --patches 2,4-6 --fresh
              reviewbot review ~/Mail/netdev --all --out reviews --budget 3
              reviewbot review <message-id> --out review \\
                  --push imaps://me@mail.example.org/Drafts
            """)

    @Argument(help: "A file, directory or -; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
    var source: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Where the drafts and the report go.", valueName: "dir"))
    var outputDirectory: String

    @Option(name: .customLong("b4-dir"), help: ArgumentHelp("Also write b4's agent review files (0001.txt, ...) here.",
                                                            valueName: "dir"))
    var b4Directory: String?

    @Flag(name: .customLong("dry-run"), help: "Plan and write the requests, but send none.")
    var dryRun = false

    @Flag(name: .customLong("no-verify"), help: "Skip the verification pass (findings are then unverified).")
    var noVerify = false

    @Flag(help: "Review every complete series of the source, each into DIR/<n>-<title>/.")
    var all = false

    @Flag(name: .customLong("fresh"), help: "Ask the model again instead of reading the response cache.")
    var fresh = false

    @Flag(name: .customLong("yes"), help: "Start without asking, whatever the estimated cost.")
    var yes = false

    @Option(help: ArgumentHelp("Stop the run cleanly at this many dollars (default: [review] budget_usd).",
                               valueName: "USD"))
    var budget: Double?

    @Option(help: ArgumentHelp("Append the drafts to this IMAP mailbox flagged \\Draft.", valueName: "imaps://user@host/Drafts"))
    var push: String?

    @Flag(help: "Print a machine-readable summary on stdout.")
    var json = false

    @Flag(help: "Replace drafts you edited or deleted, and set aside another review's drafts even when you edited them.")
    var force = false

    @OptionGroup var review: ReviewOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func validate() throws {
        if let budget {
            do { try Configuration.check(flag: "--budget", budget, in: Configuration.budgetRange) } catch {
                throw ValidationError("\(error)")
            }
        }
        if all, review.series.msgid != nil || review.series.match != nil || review.series.revision != nil {
            throw ValidationError("--all reviews every complete series; it takes no --msgid, --match or --revision")
        }
    }

    func run() async throws {
        var config = try global.loadConfiguration()
        review.apply(to: &config)
        if let budget { config.review.budgetUSD = budget }
        let env = ProcessInfo.processInfo.environment
        let out = URL(fileURLWithPath: outputDirectory)
        do {
            let transport = dryRun ? nil : try config.messagesTransport(environment: env)
            // Who the drafts are from, known before anything is fetched or paid for.
            let reviewer = try transport.map { _ in
                try config.reviewer(environment: env, configFile: global.config ?? Configuration.defaultPath(environment: env))
            }
            let jobs = try await plannedJobs(config, out, reviewer: reviewer)
            guard let transport else {
                for job in jobs {
                    for line in try job.writeDryRun() { Diagnostics.note(line) }
                    print(json ? job.prepared.planJSON : job.prepared.planListing, terminator: "")
                }
                if !dryRun { Diagnostics.note("no \(Configuration.apiKeyVariable) set, so this was a dry run") }
                return
            }
            try confirmCost(jobs, config: config)
            let store = try StateStore(url: XDGDirectories(environment: env).stateDatabase)
            let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
            var incomplete = false
            var summaries: [String] = []
            for job in jobs {
                let outcome = try await job.run(transport: transport, store: store, date: Date(),
                                                progress: { progress.show($0) },
                                                notice: { wait in progress.finish(); Diagnostics.note(wait.description) })
                progress.finish()
                for note in outcome.notes { Diagnostics.note(note) }
                if let push, !outcome.drafts.isEmpty {
                    let pushed = try await config.pushDrafts(directory: job.outputDirectory, to: push,
                                                             flags: sourceOptions.flags, environment: env,
                                                             ledger: SentLedger(store: store))
                    for line in pushed { Diagnostics.note(line) }
                }
                summaries.append(json ? outcome.summaryJSON : outcome.summary(directory: job.outputDirectory.path))
                incomplete = incomplete || outcome.isIncomplete
            }
            print(summaries.joined(separator: json ? "" : "\n"), terminator: "")
            if incomplete { throw ExitCode(ExitCode32.incomplete.rawValue) }
        } catch {
            throw Diagnostics.failChoosing(error)
        }
    }

    /// One job per series: the one the selection names, or with `--all` every complete
    /// one, each in its own subdirectory (the incomplete ones are named and left alone).
    func plannedJobs(_ config: Configuration, _ out: URL, reviewer: MailAddress?) async throws -> [ReviewJob] {
        func job(_ prepared: PreparedReview, _ directory: URL, _ b4: URL?) -> ReviewJob {
            ReviewJob(prepared: prepared, configuration: config, outputDirectory: directory, b4Directory: b4,
                      verify: noVerify ? false : nil, fresh: fresh, force: force, reviewer: reviewer)
        }
        let b4 = b4Directory.map { URL(fileURLWithPath: $0) }
        guard all else {
            return [job(try await review.prepare(source, config: config, sourceOptions: sourceOptions), out, b4)]
        }
        let found = try await PreparedReview.prepareAll(try review.selection(source),
                                                        reader: review.reader(config, sourceOptions),
                                                        library: try review.library(config))
        for entry in found.incomplete {
            Diagnostics.note("not reviewed, incomplete: \(entry.revisionLabel) \(entry.title) (--msgid \(entry.selector ?? "?"))")
        }
        if found.reviews.isEmpty {
            throw ReviewBotError("no complete series in \(source); review an incomplete one with --msgid", kind: .noPatches)
        }
        return found.reviews.map { entry, prepared in
            for note in prepared.notes { Diagnostics.warn(note) }
            let name = "\(entry.number)-\(entry.slug)"
            return job(prepared, out.appendingPathComponent(name), b4?.appendingPathComponent(name))
        }
    }

    /// The cost guard: above `[review] confirm_above_usd` ask on a terminal, refuse
    /// elsewhere unless `--yes` or `--budget`.
    func confirmCost(_ jobs: [ReviewJob], config: Configuration) throws {
        let costs = jobs.map(\.prepared.estimate.cost)
        let estimate: Double? = costs.contains { $0 == nil } ? nil : costs.reduce(0) { $0 + ($1 ?? 0) }
        let requests = jobs.reduce(0) { $0 + $1.prepared.plan.tasks.count }
        let budget = config.review.budgetUSD * Double(jobs.count)
        if let note = CostGuard.budgetNote(estimate: estimate, budget: budget) { Diagnostics.warn(note) }
        let decision = CostGuard.decide(estimate: estimate, requests: requests, model: config.model.name,
                                        threshold: config.review.confirmAboveUSD, budget: budget,
                                        budgetGiven: self.budget != nil, assumeYes: yes,
                                        interactive: isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1)
        switch decision {
        case .proceed:
            return
        case .ask(let question):
            FileHandle.standardError.write(Data(("reviewbot: " + question).utf8))
            guard CostGuard.isYes(readLine()) else {
                throw Diagnostics.fail("nothing reviewed: not confirmed", code: .incomplete)
            }
        case .refuse(let message):
            throw Diagnostics.fail(message, code: .usage)
        }
    }
}
