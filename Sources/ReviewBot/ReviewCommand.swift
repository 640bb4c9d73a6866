import ArgumentParser
import Foundation
import ReviewBotKit
import ReviewEngine

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a patch series and draft inline replies for you to edit and send.",
        discussion: """
            Reads the series, plans hunk-level tasks, asks the model (ANTHROPIC_API_KEY,
            ANTHROPIC_BASE_URL), verifies the findings and writes to DIR: NNNN-review-inline.txt
            and NNNN.eml per patch with findings, drafts.mbox, findings.json and report.md.
            Nothing is mailed: send the drafts yourself, or with `reviewbot send DIR`.

            Without ANTHROPIC_API_KEY (or with --dry-run) no request is sent: the plan and every
            request are written under DIR (plan.txt, prompts/).

            Examples:
              reviewbot review https://lore.kernel.org/all/<message-id>/ --out review
              reviewbot review thread.mbox --out review --dry-run
              reviewbot review <message-id> --out review --push imaps://me@mail.example.org/Drafts
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

    @Flag(name: .customLong("no-verify"), help: "Skip the verification pass.")
    var noVerify = false

    @Option(help: ArgumentHelp("Append the drafts to this IMAP mailbox flagged \\Draft.", valueName: "imaps://user@host/Drafts"))
    var push: String?

    @Flag(help: "Print a machine-readable summary on stdout.")
    var json = false

    @Flag(help: "Replace drafts you edited or deleted, and set aside another review's drafts even when you edited them.")
    var force = false

    @OptionGroup var review: ReviewOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func run() async throws {
        var config = try global.loadConfiguration()
        review.apply(to: &config)
        let env = ProcessInfo.processInfo.environment
        let out = URL(fileURLWithPath: outputDirectory)
        do {
            let transport = dryRun ? nil : try config.messagesTransport(environment: env)
            // Who the drafts are from, known before anything is fetched or paid for.
            let reviewer = try transport.map { _ in
                try config.reviewer(environment: env, configFile: global.config ?? Configuration.defaultPath(environment: env))
            }
            let prepared = try await review.prepare(source, config: config, sourceOptions: sourceOptions)
            let job = ReviewJob(prepared: prepared, configuration: config, outputDirectory: out,
                                b4Directory: b4Directory.map { URL(fileURLWithPath: $0) },
                                verify: noVerify ? false : nil, force: force, reviewer: reviewer)
            guard let transport else {
                for line in try job.writeDryRun() { Diagnostics.note(line) }
                if !dryRun { Diagnostics.note("no \(Configuration.apiKeyVariable) set, so this was a dry run") }
                print(json ? prepared.planJSON : prepared.planListing, terminator: "")
                return
            }
            let store = try StateStore(url: XDGDirectories(environment: env).stateDatabase)
            let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
            let outcome = try await job.run(transport: transport, store: store, date: Date(),
                                            progress: { progress.show($0) })
            progress.finish()
            for note in outcome.notes { Diagnostics.note(note) }
            if let push, !outcome.drafts.isEmpty {
                let pushed = try await config.pushDrafts(directory: out, to: push, flags: sourceOptions.flags,
                                                         environment: env, ledger: SentLedger(store: store))
                for line in pushed { Diagnostics.note(line) }
            }
            print(json ? outcome.summaryJSON : outcome.summary(directory: out.path), terminator: "")
            if outcome.isIncomplete { throw ExitCode(ExitCode32.incomplete.rawValue) }
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}
