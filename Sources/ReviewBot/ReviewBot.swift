import ArgumentParser
import Foundation
import ReviewBotKit

@main
struct ReviewBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reviewbot",
        abstract: "Review Linux kernel patch series and draft inline replies.",
        discussion: """
            SOURCE is a file or directory (mbox, .eml, maildir), - for stdin, a
            message-id, a lore URL, a patch.msgid.link URL, or
            imaps://user@host/Mailbox.

            Exit codes: 0 done; 1 finished with something left undone (failed
            tasks, budget reached, no patches, unreadable messages); 2 bad
            arguments or configuration; 3 a source, the network or a server
            failed.

            Shell completions: reviewbot --generate-completion-script bash|zsh|fish
            (scripts/install-completions installs them).
            """,
        version: CurlClient.productVersion,
        subcommands: [
            FetchCommand.self,
            DraftsCommand.self,
            SendCommand.self,
            ConfigCommand.self,
            PromptsCommand.self,
            SeriesCommand.self,
            PlanCommand.self,
            ReviewCommand.self,
            ScanCommand.self,
            EvalCommand.self,
            FeedbackCommand.self,
            StatsCommand.self,
            LessonsCommand.self,
            WatchCommand.self,
        ])

    /// ArgumentParser's own `main`, with the documented exit codes: a usage error is 2
    /// (ArgumentParser says 64, EX_USAGE), and an error nobody reported yet is printed as
    /// one line and mapped by its kind.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Foundation.exit(exitStatus(for: error))
        }
    }

    /// Prints what `error` needs printed and returns the process status for it.
    static func exitStatus(for error: any Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }  // already reported
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }  // --help, --version: printed, exit 0
        if code == .validationFailure {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            return ExitCode32.usage.rawValue
        }
        return Diagnostics.fail(error).rawValue
    }
}
