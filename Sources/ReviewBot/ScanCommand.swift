import ArgumentParser
import Foundation
import MboxParser
import ReviewBotKit

/// `reviewbot scan SOURCE [--json]`: read a mailbox and count what is in it.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read a source and count messages, patches and series.",
        discussion: """
            Messages that cannot be read are listed on stderr as
            <file>:<message number>: <reason> and counted in errors; reading goes on.
            Patch mails are parsed as a review would: charset problems and diff lines
            that cannot be placed (a mangled or cut patch) are listed as warnings.
            Exit 0 when everything was read, 1 when some messages could not be read.
            Examples:
              reviewbot scan ~/Mail/linux-watchdog
              reviewbot scan archive.mbox --json
              git format-patch --stdout -3 | reviewbot scan -
            """)

    @Argument(help: "A file, directory or -; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
    var source: String

    @Flag(help: "Print the counts as one JSON object.")
    var json = false

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func run() async throws {
        let config = try global.loadConfiguration()
        let reader = SourceReader(configuration: config, flags: sourceOptions.flags,
                                  environment: ProcessInfo.processInfo.environment)
        let unreadable: Int
        do {
            unreadable = try await reader.withMailbox(source) { mailbox in
                let result = try MailboxScan.scan(path: mailbox.path)
                var report = mailbox.notes.map { "reviewbot: \($0)\n" }.joined()
                for error in result.errors { report += mailbox.describe(error) + "\n" }
                for warning in result.warnings { report += mailbox.describe(warning) + "\n" }
                if !report.isEmpty { FileHandle.standardError.write(Data(report.utf8)) }
                if json {
                    print(result.json)
                } else {
                    print("messages: \(result.messages)")
                    print("patches: \(result.patches)")
                    print("series: \(result.series)")
                    print("errors: \(result.errors.count)")
                    print("warnings: \(result.warnings.count)")
                }
                return result.errors.count
            }
        } catch {
            throw Diagnostics.fail(error)
        }
        if unreadable > 0 { throw ExitCode(ExitCode32.incomplete.rawValue) }
    }
}
