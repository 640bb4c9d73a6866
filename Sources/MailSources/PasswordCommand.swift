import Foundation

/// A configured `password_command` (IMAP and SMTP): run by /bin/sh, its first output line
/// is the password. The command is never echoed, since it may embed the secret itself.
public enum PasswordCommand {
    /// Runs `command` and returns the first line it prints; `what` names the setting in
    /// errors (`[smtp] password_command`).
    public static func firstLine(of command: String, environment: [String: String],
                                 what: String = "password_command") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MailSourceError.usage("\(what) could not start: \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MailSourceError.usage("\(what) failed with status \(process.terminationStatus)")
        }
        // Bytes, not Characters: "\r\n" is a single Character in Swift.
        let line = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? Data()
        let password = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        guard !password.isEmpty else { throw MailSourceError.usage("\(what) printed no password") }
        return password
    }
}
