import ArgumentParser
import Foundation
import ReviewBotKit
import ReviewEngine

struct FeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Record what you did with the drafts, so rejected findings are not raised again.",
        discussion: """
            reviewbot feedback DIR compares each draft of DIR (what `reviewbot review
            --out DIR` wrote) with what you sent: the .eml files as you edited them (the
            default), your Sent folder over IMAP (--sent imaps://user@host/Sent, read-only,
            found by In-Reply-To), or your reply on lore (--lore). Each finding is
            accepted (sent as drafted), edited (sent reworded: at least half of its words
            kept, in order) or rejected (deleted).

            --accept and --reject give a verdict by hand, by the fingerprint findings.json
            shows (its first digits are enough); --label takes NIPA's labels. A rejection
            with --why becomes a lesson: a short note added to the prompt of every later
            review that the same guides match (reviewbot lessons shows and edits them).

            A rejected finding is never raised again for the same code, in later
            revisions or re-runs: the review drops it and report.md counts it.

            --thread MSGID reads the replies to our review on lore; a reply from the
            patch's author or from you that quotes a comment and says it is wrong marks
            it disputed, and the next revision's review shows the model that reply.

            Examples:
              reviewbot feedback review/
              reviewbot feedback review/ --sent imaps://me@mail.example.org/Sent
              reviewbot feedback --reject 3f9a2c --why "devm_ memory is freed by the core"
              reviewbot feedback --accept 3f9a2c --label emailed
              reviewbot feedback --thread 20240101120000.1234-1-someone@example.org
            """)

    @Argument(help: ArgumentHelp("The output directory of a review.", valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("Read what was sent from this IMAP folder.", valueName: "imaps://user@host/Sent"))
    var sent: String?

    @Flag(help: "Read what was sent from lore (your replies in the patches' threads).")
    var lore = false

    @Option(help: ArgumentHelp("Record by hand that this finding was sent.", valueName: "fingerprint"))
    var accept: String?

    @Option(help: ArgumentHelp("Record by hand that this finding was wrong.", valueName: "fingerprint"))
    var reject: String?

    @Option(help: ArgumentHelp("Why (with --reject it becomes a lesson for later reviews).", valueName: "text"))
    var why: String?

    @Option(help: ArgumentHelp("NIPA's label: emailed, false-positive or nitpick.", valueName: "label"))
    var label: String?

    @Option(help: ArgumentHelp("Read the replies to our review in this thread on lore.", valueName: "msgid"))
    var thread: String?

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func validate() throws {
        let modes = [directory != nil, accept != nil, reject != nil, thread != nil].filter { $0 }.count
        guard modes == 1 else {
            throw ValidationError("give one of: DIR, --accept FINGERPRINT, --reject FINGERPRINT, --thread MSGID")
        }
        if sent != nil || lore {
            guard directory != nil else { throw ValidationError("--sent and --lore go with DIR") }
            guard !(sent != nil && lore) else { throw ValidationError("--sent and --lore are alternatives: give one") }
        }
        if why != nil || label != nil, accept == nil, reject == nil {
            throw ValidationError("--why and --label go with --accept or --reject")
        }
        if let label, FeedbackLabel(rawValue: label) == nil {
            throw ValidationError("--label must be emailed, false-positive or nitpick, not '\(label)'")
        }
    }

    func run() async throws {
        let config = try global.loadConfiguration()
        let environment = ProcessInfo.processInfo.environment
        let job = FeedbackJob(configuration: config, flags: sourceOptions.flags, environment: environment)
        do {
            let store = try StateStore(url: XDGDirectories(environment: environment).stateDatabase)
            if let directory {
                let source: FeedbackJob.SentSource = sent.map { .imap($0) } ?? (lore ? .lore : .draftFiles)
                let report = try await job.compare(directory: URL(fileURLWithPath: directory), sent: source, store: store)
                print(report.listing, terminator: "")
            } else if let thread {
                print(try await job.readThread(thread, store: store).listing, terminator: "")
            } else {
                let verdict: FeedbackVerdict = accept != nil ? .accepted : .rejected
                let result = try job.recordByHand(verdict, fingerprint: accept ?? reject ?? "",
                                                  label: label.flatMap(FeedbackLabel.init(rawValue:)), why: why,
                                                  store: store)
                print(result.listing, terminator: "")
            }
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count your verdicts on findings per guide, pattern file and category.",
        discussion: """
            Each finding counts once, with its latest verdict (reviewbot feedback), under
            every guide and pattern file that was in force for its patch when it was made:
            the guides with many rejections are the ones that produce noise on your patches.
            Example:
              reviewbot stats
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = try global.loadConfiguration()
        let environment = ProcessInfo.processInfo.environment
        do {
            let store = try StateStore(url: XDGDirectories(environment: environment).stateDatabase)
            print(try FeedbackStats.compute(store: store).listing, terminator: "")
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}
