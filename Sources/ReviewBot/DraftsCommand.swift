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
            abstract: "Append every .eml in DIR to an IMAP mailbox flagged \\Draft (once per Message-ID).")

        @Argument(help: "The directory holding the drafted .eml files.")
        var directory: String

        @Option(name: .customLong("to"), help: "The mailbox, e.g. imaps://user@host/Drafts.")
        var to: String

        @Flag(name: .customLong("imap-allow-plaintext"), help: "Allow imap:// without TLS (loopback test servers).")
        var imapAllowPlaintext = false

        @Option(name: .customLong("ca-file"), help: "Trust only the certificates in this PEM file (TLS).")
        var caFile: String?

        @Option(name: .customLong("timeout"), help: "Seconds before a silent server is given up on.")
        var timeout: Double = 30

        func run() async throws {
            do {
                let url = try IMAPMailboxURL(parsing: to)
                let options = IMAPOptions(allowPlaintext: imapAllowPlaintext, tls: TLSOptions(caFile: caFile), timeout: timeout)
                let report = try await IMAPMailbox.pushDrafts(from: URL(fileURLWithPath: directory), to: url, options: options)
                for name in report.appended { printError("pushed \(name) to \(url)") }
                for name in report.skipped { printError("already in \(url.mailbox): \(name)") }
            } catch {
                printError("reviewbot: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
