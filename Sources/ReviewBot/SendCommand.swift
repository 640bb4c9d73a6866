import ArgumentParser
import Foundation
import ReviewBotKit
#if canImport(Glibc)
import Glibc
#endif

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send the drafted replies in DIR through SMTP, each after you confirm it.",
        discussion: """
            Every .eml in DIR, in name order: shows From, To, Cc, Subject and the start of the
            body, and sends only on y (n skips it, q stops). --yes sends all without asking.
            Without a terminal and without --yes nothing is sent. The envelope is the draft's
            From and its To, Cc and Bcc; Bcc is removed from the sent mail. Sent drafts are
            listed in DIR/.sent and never sent again.
            The server comes from [smtp] url and user (or --smtp-url, --smtp-user); the
            password from REVIEWBOT_SMTP_PASSWORD or [smtp] password_command, never argv.
            Example:
              REVIEWBOT_SMTP_PASSWORD=... reviewbot send review-out \\
                  --smtp-url smtps://smtp.example.org --smtp-user me
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

    @Flag(name: .customLong("smtp-allow-plaintext"), help: "Allow smtp:// without STARTTLS (loopback test servers).")
    var smtpAllowPlaintext = false

    @Option(name: .customLong("ca-file"), help: "Trust only the certificates in this PEM file (TLS).")
    var caFile: String?

    @Option(name: .customLong("timeout"), help: "Seconds before a silent server is given up on (default: [smtp] timeout_seconds).")
    var timeout: Double?

    func run() async throws {
        let config = try global.loadConfiguration()
        do {
            let confirmation = try SendConfirmation.terminal(
                assumeYes: yes, standardInputIsTerminal: isatty(STDIN_FILENO) == 1,
                readLine: { Swift.readLine() },
                write: { FileHandle.standardError.write(Data($0.utf8)) })
            let flags = SMTPFlags(url: smtpURL, user: smtpUser, allowPlaintext: smtpAllowPlaintext,
                                  caFile: caFile, timeout: timeout)
            let server = try config.smtpServer(flags: flags, environment: ProcessInfo.processInfo.environment)
            let job = SendJob(directory: URL(fileURLWithPath: directory), confirmation: confirmation)
            let report = try await job.run(transport: SMTPTransport(client: CurlClient(), server: server)) { line in
                print(line)
            }
            for failure in report.failed { Diagnostics.error("failed to send \(failure.file): \(failure.reason)") }
            if !report.notAttempted.isEmpty {
                printError("not sent: \(report.notAttempted.joined(separator: ", "))")
            }
            if !report.failed.isEmpty { throw ExitCode(ExitCode32.unavailable.rawValue) }
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}
