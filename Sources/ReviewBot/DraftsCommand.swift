import ArgumentParser
import Foundation
import ReviewBotKit

struct DraftsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drafts",
        abstract: "Work with drafted review replies.",
        subcommands: [Push.self])

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append every .eml in DIR to an IMAP mailbox flagged \\Draft (once per Message-ID).",
            discussion: """
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
                let report = try await IMAPMailbox.pushDrafts(from: URL(fileURLWithPath: directory), to: url, options: options)
                for name in report.appended { printError("pushed \(name) to \(url)") }
                for name in report.skipped { printError("already in \(url.mailbox): \(name)") }
            } catch {
                throw Diagnostics.fail(error)
            }
        }
    }
}
