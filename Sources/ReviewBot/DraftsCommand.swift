import ArgumentParser
import Foundation
import ReviewBotKit
import ReviewEngine

struct DraftsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drafts",
        abstract: "Work with drafted review replies.",
        subcommands: [Push.self])

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append the drafts of DIR's latest review to an IMAP mailbox flagged \\Draft, once.",
            discussion: """
                Takes only the drafts DIR/.reviewbot/manifest.json lists for the latest
                review, read as strictly as send reads them. A draft already pushed (the
                state database, or a message with its Message-ID in the mailbox), or whose
                reply was already sent, is skipped with when that was.
                The password comes from REVIEWBOT_IMAP_PASSWORD or [imap] password_command.
                Example:
                  reviewbot drafts push review-out --to imaps://me@mail.example.org/Drafts
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The directory holding the drafted .eml files.")
        var directory: String

        @Option(name: .customLong("to"), help: "The mailbox, e.g. imaps://user@host/Drafts.")
        var to: String

        @Flag(name: .customLong("imap-allow-plaintext"), help: "Allow imap:// without TLS (loopback test servers).")
        var imapAllowPlaintext = false

        @Option(name: .customLong("ca-file"), help: "Trust only the certificates in this PEM file (TLS).")
        var caFile: String?

        @Option(name: .customLong("timeout"), help: "Seconds before a silent server is given up on (default: [imap] timeout_seconds).")
        var timeout: Double?

        func run() async throws {
            let config = try global.loadConfiguration()
            do {
                let url = try IMAPMailboxURL(parsing: to)
                let flags = SourceFlags(imapAllowPlaintext: imapAllowPlaintext, caFile: caFile, timeout: timeout)
                let options = try config.imapOptions(flags: flags, environment: ProcessInfo.processInfo.environment)
                let env = ProcessInfo.processInfo.environment
                let store = try StateStore(url: XDGDirectories(environment: env).stateDatabase)
                let job = DraftPushJob(directory: URL(fileURLWithPath: directory), mailbox: url, options: options,
                                       ledger: SentLedger(store: store))
                for line in try await job.run() { Diagnostics.note(line) }
            } catch {
                throw Diagnostics.fail(error)
            }
        }
    }
}
