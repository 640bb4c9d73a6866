import ArgumentParser
import Dispatch
import Foundation
import PromptLibrary
import ReviewBotKit
import ReviewEngine

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Review new series as they arrive in an IMAP folder or on a lore list.",
        discussion: """
            Reads each SOURCE as mail arrives (IMAP IDLE where the server offers it,
            else polling; a lore list's new.atom every [watch] poll_seconds), groups
            the new mail into series, and reviews each complete series once per
            revision, as `reviewbot review` does, into DIR/<n>-<title>-v<N>/. A series
            still missing parts is reviewed [watch] settle_minutes after its first
            part, its missing slots noted. Replies, resends, pull requests and robot
            mail start no review. One line per reviewed series goes to stdout.

            Nothing is sent: drafts only, and --push appends them to a Drafts folder.
            SIGTERM or SIGINT lets the model calls in flight finish and exits 0; a
            review stopped that way is redone on the next start from the response
            cache. State is in the state database, so a restart loses nothing and
            reviews nothing twice. --once reads what is new, reviews it and exits
            (for cron).

            Examples:
              reviewbot watch imaps://me@mail.example.org/lists/alsa --out ~/reviews \\
                  --push imaps://me@mail.example.org/Drafts
              reviewbot watch https://lore.kernel.org/linux-sound/ --out ~/reviews \\
                  --maintainers MAINTAINERS --entry "SOUND" --once
            """)

    @Argument(help: "imaps://user@host/Folder, https://lore.kernel.org/LIST/, or a list name.")
    var sources: [String]

    @Option(name: .customLong("out"), help: ArgumentHelp("Where each review's directory goes.", valueName: "dir"))
    var outputDirectory: String

    @Option(help: ArgumentHelp("Append each review's drafts to this IMAP mailbox flagged \\Draft.",
                               valueName: "imaps://user@host/Drafts"))
    var push: String?

    @Flag(help: "Read what is new once, review what is ready, and exit.")
    var once = false

    @Option(help: ArgumentHelp("A MAINTAINERS file; with --entry, only series touching that entry's files.",
                               valueName: "FILE"))
    var maintainers: String?

    @Option(help: ArgumentHelp("The MAINTAINERS entry (its title line, e.g. \"SOUND\").", valueName: "TITLE"))
    var entry: String?

    @Option(help: ArgumentHelp("A kernel git tree each review reads code from (never changed; default: [tree] path).",
                               valueName: "path"))
    var tree: String?

    @Option(name: .customLong("poll-seconds"), help: "Seconds between polls (default: [watch] poll_seconds).")
    var pollSeconds: Double?

    @Option(name: .customLong("settle-minutes"), help: "Minutes an incomplete series waits (default: [watch] settle_minutes).")
    var settleMinutes: Double?

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func validate() throws {
        if sources.isEmpty { throw ValidationError("give at least one SOURCE to watch") }
    }

    func run() async throws {
        var config = try global.loadConfiguration()
        if let maintainers { config.watch.maintainers = maintainers }
        if let entry { config.watch.entry = entry }
        if let tree { config.tree.path = tree }
        if let pollSeconds { config.watch.pollSeconds = pollSeconds }
        if let settleMinutes { config.watch.settleMinutes = settleMinutes }
        if let problem = config.problems().first { throw Diagnostics.fail("\(problem)", code: .usage) }
        let env = ProcessInfo.processInfo.environment
        do {
            let specs = try sources.map { try WatchSourceSpec.parse($0, loreURL: sourceOptions.loreURL ?? config.lore.url) }
            guard let transport = try config.messagesTransport(environment: env) else {
                throw ReviewBotError("watch needs \(Configuration.apiKeyVariable): it reviews what arrives", kind: .usage)
            }
            let library = try PromptLibrary.load(explicitOverride: config.promptsDirectory.map { URL(fileURLWithPath: $0) },
                                                 environment: env)
            for warning in library.warnings { Diagnostics.warn("\(warning)") }
            let store = try StateStore(url: XDGDirectories(environment: env).stateDatabase)
            let stop = RunStop()
            let signals = Self.trapStopSignals(stop)
            defer { for source in signals { source.cancel() } }
            let options = Watcher.Options(outputDirectory: URL(fileURLWithPath: outputDirectory), push: push, once: once,
                                          flags: sourceOptions.flags, environment: env)
            let watcher = try Watcher(configuration: config, sources: specs, options: options, store: store,
                                      transport: transport, library: library, log: WatchLog(environment: env), stop: stop,
                                      summary: { line in
                                          FileHandle.standardOutput.write(Data(line.utf8))
                                      })
            let result = try await watcher.run()
            if stop.requested != nil { return }
            if once, result.failedReads > 0 { throw ExitCode(ExitCode32.unavailable.rawValue) }
            if result.failedReviews > 0 { throw ExitCode(ExitCode32.incomplete.rawValue) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Diagnostics.fail(error)
        }
    }

    /// SIGTERM and SIGINT ask the watcher to stop instead of killing the process.
    static func trapStopSignals(_ stop: RunStop) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.request(number == SIGTERM ? "SIGTERM" : "SIGINT") }
            source.resume()
            return source
        }
    }
}
