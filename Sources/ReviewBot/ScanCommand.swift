import ArgumentParser
import Foundation
import MboxParser

/// `reviewbot scan SOURCE [--json]`: read a mailbox and count what is in it.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read an mbox, maildir, directory or stdin and count messages, patches and series.",
        discussion: "Messages that cannot be read are listed on stderr as <file>:<message number>: <reason>.")

    @Argument(help: "An mbox or message file, a maildir or directory of message files, or - for stdin.")
    var source: String

    @Flag(help: "Print the counts as one JSON object.")
    var json = false

    func run() throws {
        let result: MailboxScanResult
        do {
            result = try MailboxScan.scan(path: source)
        } catch {
            FileHandle.standardError.write(Data("reviewbot: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var report = ""
        for error in result.errors { report += "\(error)\n" }
        if !report.isEmpty { FileHandle.standardError.write(Data(report.utf8)) }
        if json {
            print(result.json)
        } else {
            print("messages: \(result.messages)")
            print("patches: \(result.patches)")
            print("series: \(result.series)")
            print("errors: \(result.errors.count)")
        }
    }
}
