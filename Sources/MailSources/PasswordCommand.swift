import CurlKit
import Foundation

/// A configured `password_command` (IMAP and SMTP): run by /bin/sh, its first output line
/// is the password. The command is never echoed, since it may embed the secret itself.
public enum PasswordCommand {
    /// How long the command may run when the configuration does not say. Two minutes: long
    /// enough to answer a pinentry prompt for a GPG passphrase (`pass`, `gpg -d`), short
    /// enough that a command stuck on a dead network share does not hang the run.
    public static let defaultTimeout: Double = 120
    /// The most the command may print on stdout; a password is one short line.
    static let maxOutputBytes = 64 * 1024
    /// How much of its stderr a failure shows: enough for gpg's or pass's message.
    static let maxShownErrorBytes = 2_000

    /// Runs `command` and returns the first line it prints; `what` names the setting in
    /// errors (`[smtp] password_command`). A command that runs longer than `timeout`
    /// seconds is killed with everything it started. On failure its stderr is shown, cut
    /// short, control characters made visible, the printed password (if any) removed.
    public static func firstLine(of command: String, environment: [String: String],
                                 what: String = "password_command",
                                 timeout: Double = PasswordCommand.defaultTimeout) throws -> String {
        let result: ShellCommand.Result
        do {
            result = try ShellCommand.run(command, environment: environment, timeout: timeout,
                                          maxOutputBytes: maxOutputBytes, maxErrorBytes: maxShownErrorBytes)
        } catch {
            throw MailSourceError.usage("\(what) could not start: \(error)")
        }
        // Bytes, not Characters: "\r\n" is a single Character in Swift.
        let line = result.output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? Data()
        let password = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        func stderr() -> String {
            let shown = SecretRedactor([password]).redact(String(decoding: result.errorOutput, as: UTF8.self))
            let text = TerminalText.visible(shown.trimmingCharacters(in: .whitespacesAndNewlines))
            guard !text.isEmpty else { return "" }
            return ": " + text + (result.errorTruncated ? " [...]" : "")
        }
        switch result.ending {
        case .timedOut:
            throw MailSourceError.usage("\(what) did not finish within \(formatSeconds(timeout)) and was stopped\(stderr())")
        case .outputTooLarge:
            throw MailSourceError.usage("\(what) printed more than \(maxOutputBytes) bytes; a password is one line")
        case .exited(let status) where status != 0:
            throw MailSourceError.usage("\(what) failed with status \(status)\(stderr())")
        case .signalled(let signal):
            throw MailSourceError.usage("\(what) was killed by signal \(signal)\(stderr())")
        case .exited:
            break
        }
        guard !password.isEmpty else { throw MailSourceError.usage("\(what) printed no password\(stderr())") }
        return password
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
