import ArgumentParser
import CurlKit
import Foundation
import ReviewBotKit

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Write a source (message-id, lore URL, imap:// folder, file) as an mboxrd file.",
        discussion: """
            Settings come from the config file's [lore] and [imap] sections; the flags win.
            Examples:
              reviewbot fetch 20211107202530.20147-1-semen.protsenko@linaro.org \\
                  -o series.mbox
              reviewbot fetch imaps://me@mail.example.org/lists/netdev --imap-days 3 -o -
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A file, -, a message-id, a lore or patch.msgid.link URL, or imaps://user@host/Mailbox.")
    var source: String

    @Option(name: .shortAndLong, help: "Where to write the mbox (- for standard output).")
    var output: String

    @OptionGroup var sources: SourceOptions

    @Flag(name: .customLong("check-newer"), help: "Ask lore's search for newer revisions of the series.")
    var checkNewer = false

    func run() async throws {
        let config = try global.loadConfiguration()
        let environment = ProcessInfo.processInfo.environment
        do {
            let job = FetchJob(source: source, output: output,
                               lore: try config.loreConfiguration(flags: sources.flags, environment: environment),
                               imap: try config.imapOptions(flags: sources.flags, environment: environment),
                               checkNewer: checkNewer)
            for line in try await job.run() { printError(line) }
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}

/// The flags that override `[lore]` and `[imap]`, shared by the commands that read sources.
struct SourceOptions: ParsableArguments {
    @Option(name: .customLong("lore-url"), help: "The public-inbox server to fetch from (default: [lore] url).")
    var loreURL: String?

    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the thread cache.")
    var noCache = false

    @Flag(name: .customLong("imap-allow-plaintext"), help: "Allow imap:// without TLS (loopback test servers).")
    var imapAllowPlaintext = false

    @Option(name: .customLong("imap-days"), help: "How many days back the IMAP search looks (default: [imap] days).")
    var imapDays: Int?

    @Option(name: .customLong("imap-search"), help: "A raw IMAP search instead of recent PATCH subjects.")
    var imapSearch: String?

    @Option(name: .customLong("ca-file"), help: "Trust only the certificates in this PEM file (TLS).")
    var caFile: String?

    @Option(name: .customLong("timeout"), help: "Seconds before a silent server is given up on (default: from the config).")
    var timeout: Double?

    var flags: SourceFlags {
        SourceFlags(loreURL: loreURL, noCache: noCache, imapAllowPlaintext: imapAllowPlaintext, imapDays: imapDays,
                    imapSearch: imapSearch, caFile: caFile, timeout: timeout)
    }

    /// `--timeout` and `--imap-days` against the ranges of the keys they stand for.
    func validate() throws {
        do { try flags.validate() } catch { throw ValidationError("\(error)") }
    }
}

/// One line on stderr, with control characters from mail or servers made visible.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((TerminalText.visible(line) + "\n").utf8))
}
