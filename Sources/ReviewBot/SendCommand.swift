import ArgumentParser
import CurlKit
import Foundation
import ReviewBotKit
import ReviewEngine
#if canImport(Glibc)
import Glibc
#endif

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send the drafted replies in DIR through SMTP, each after you confirm it.",
        discussion: """
            Sends only the drafts of DIR's latest review, as DIR/.reviewbot/manifest.json
            lists them (your edits included), in name order; other .eml files in DIR are
            named and left alone. For each it shows From, To, Cc, Bcc, Subject, the whole
            body and every envelope recipient, and sends only on y (n skips it, q stops).
            --yes sends all without asking, except drafts that come with a warning.
            Without a terminal and without --yes nothing is sent. The envelope is the
            draft's From and its To, Cc and Bcc; Bcc is removed from the sent mail, and
            Date is set when it is sent.

            Nothing is sent twice: what the server accepted is recorded in the state
            database the moment it answers 250, so a copy of DIR, or a new review into
            another directory, skips it and says when it was sent. An old DIR/.sent is
            imported on first use.

            The server comes from [smtp] url and user (or --smtp-url, --smtp-user); the
            password from REVIEWBOT_SMTP_PASSWORD or [smtp] password_command, else it is
            asked for on the terminal; never argv. TLS and the login are checked before
            the first question.

            Example:
              reviewbot send review-out --smtp-url smtps://smtp.example.org --smtp-user me
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The directory holding the drafted .eml files.")
    var directory: String

    @Flag(name: .customLong("yes"), help: "Send every draft without asking (you have read them all).")
    var yes = false

    @Option(name: .customLong("smtp-url"), help: "smtps://host[:465] or smtp://host[:587] (default: [smtp] url).")
    var smtpURL: String?

    @Option(name: .customLong("smtp-user"), help: "The SMTP login (default: [smtp] user).")
    var smtpUser: String?

    @Flag(name: .customLong("smtp-allow-plaintext"), help: "Allow smtp:// without STARTTLS to a loopback test server.")
    var smtpAllowPlaintext = false

    @Option(name: .customLong("ca-file"), help: "Trust only the certificates in this PEM file (TLS).")
    var caFile: String?

    @Option(name: .customLong("timeout"), help: "Seconds before a silent server is given up on (default: [smtp] timeout_seconds).")
    var timeout: Double?

    func run() async throws {
        let config = try global.loadConfiguration()
        let env = ProcessInfo.processInfo.environment
        do {
            let terminal = isatty(STDIN_FILENO) == 1
            let confirmation = try SendConfirmation.terminal(
                assumeYes: yes, standardInputIsTerminal: terminal,
                readLine: { Swift.readLine() },
                write: { FileHandle.standardError.write(Data($0.utf8)) })
            let flags = SMTPFlags(url: smtpURL, user: smtpUser, allowPlaintext: smtpAllowPlaintext,
                                  caFile: caFile, timeout: timeout)
            var ask: (@Sendable (String) -> String?)?
            if terminal { ask = { @Sendable prompt in TerminalPassword.read(prompt: prompt) } }
            let server = try config.smtpServer(flags: flags, environment: env, askPassword: ask)
            let store = try StateStore(url: XDGDirectories(environment: env).stateDatabase)
            let job = SendJob(directory: URL(fileURLWithPath: directory), confirmation: confirmation,
                              ledger: SentLedger(store: store))
            let report = try await job.run(transport: SMTPTransport(client: CurlClient(), server: server)) { line in
                print(TerminalText.visible(line))
            }
            for failure in report.failed { Diagnostics.error("failed to send \(failure.file): \(failure.reason)") }
            if !report.notAttempted.isEmpty {
                Diagnostics.note("not sent: \(report.notAttempted.joined(separator: ", "))")
            }
            if !report.failed.isEmpty { throw ExitCode(ExitCode32.unavailable.rawValue) }
            if !report.held.isEmpty { throw ExitCode(ExitCode32.incomplete.rawValue) }
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}
