import Foundation

/// A program (found on `PATH`) run with arguments that no shell parses, under a deadline
/// and with bounded output: for reading a git tree. The spawning is `ShellCommand`'s
/// (empty signal mask, own process group, killed whole on timeout).
public enum ProgramRun {
    public struct Output: Sendable {
        /// The exit status; nil when the program was killed, timed out or wrote too much.
        public var status: Int32?
        public var output: Data
        /// The start of what it wrote to stderr, for an error message.
        public var errorText: String
        /// Why there is no status: `timed out after 30 s`, `wrote more than N bytes`, a signal.
        public var failure: String?
    }

    /// Bytes of stderr kept: one or two git error lines.
    static let maxErrorBytes = 2_048

    public static func run(_ program: String, _ arguments: [String], environment: [String: String],
                           timeout: Double, maxOutputBytes: Int) throws -> Output {
        let result: ShellCommand.Result
        do {
            result = try ShellCommand.run("exec \"$0\" \"$@\"", arguments: [program] + arguments,
                                          environment: environment, timeout: timeout,
                                          maxOutputBytes: maxOutputBytes, maxErrorBytes: maxErrorBytes)
        } catch let error as ShellCommand.SpawnError {
            throw MailSourceError("cannot start \(program): \(error.description); is it installed and on PATH?")
        }
        let errorText = String(decoding: result.errorOutput, as: UTF8.self)
        switch result.ending {
        case .exited(let status):
            return Output(status: status, output: result.output, errorText: errorText, failure: nil)
        case .signalled(let signal):
            return Output(status: nil, output: result.output, errorText: errorText, failure: "killed by signal \(signal)")
        case .timedOut:
            return Output(status: nil, output: result.output, errorText: errorText,
                          failure: "timed out after \(Int(timeout)) s")
        case .outputTooLarge:
            return Output(status: nil, output: result.output, errorText: errorText,
                          failure: "wrote more than \(maxOutputBytes) bytes")
        }
    }
}
