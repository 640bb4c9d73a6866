import ArgumentParser
import Foundation
import ReviewBotKit

struct SeriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Rebuild the patch series in a thread or mailbox the way b4 am does.")

    @Argument(help: "An mbox (lore t.mbox, git format-patch output) or a single mail; - for stdin.")
    var source: String

    @Flag(help: "Print the series as JSON.")
    var json = false

    @Option(help: "Pick this revision (the N of vN) instead of the newest.")
    var version: Int?

    @Option(help: "Pick the series holding this message (with or without <>).")
    var msgid: String?

    @Option(name: .customLong("export-mbox"), help: "Write a git-am-ready mbox with the trailers applied.")
    var exportMbox: String?

    func validate() throws {
        if let version, version < 1 { throw ValidationError("--version must be 1 or more") }
    }

    func run() throws {
        let outcome = SeriesReport.run(.init(source: source, json: json, version: version, messageID: msgid,
                                             exportPath: exportMbox))
        FileHandle.standardOutput.write(Data(outcome.output.utf8))
        FileHandle.standardError.write(Data(outcome.errors.utf8))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
