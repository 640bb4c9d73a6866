import ArgumentParser
import CurlKit
import Foundation
import ReviewBotKit

/// The process exit codes, documented in the README and in `reviewbot --help`.
enum ExitCode32: Int32 {
    case ok = 0
    /// The run finished but something was not done: failed tasks, budget reached, errors.
    case incomplete = 1
    /// Bad arguments or configuration.
    case usage = 2
    /// A source, the network or a server failed.
    case unavailable = 3
}

/// Every line goes through `TerminalText.visible`: messages quote subjects, file names,
/// addresses and server replies, and none of that may drive the terminal.
enum Diagnostics {
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("reviewbot: warning: \(TerminalText.visible(message))\n".utf8))
    }

    /// Something the user should know that is not a problem (a dry run, a push).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("reviewbot: \(TerminalText.visible(message))\n".utf8))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("reviewbot: \(TerminalText.visible(message))\n".utf8))
    }

    /// Prints the one-line error and returns the exit to throw.
    static func fail(_ message: String, code: ExitCode32) -> ExitCode {
        error(message.split(whereSeparator: \.isNewline).joined(separator: " "))
        return ExitCode(code.rawValue)
    }

    /// Prints `error` as one line and returns the documented exit for its kind: 2 for bad
    /// arguments or configuration, 3 for a failed source, network or server.
    static func fail(_ error: any Error) -> ExitCode {
        if let exit = error as? ExitCode { return exit }  // already reported
        let code: ExitCode32 = switch ReviewBotError.kind(of: error) {
        case .usage: .usage
        case .noPatches: .incomplete
        case .unavailable: .unavailable
        }
        return fail("\(error)", code: code)
    }
}
