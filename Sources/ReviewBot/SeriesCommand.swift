import ArgumentParser
import Foundation
import ReviewBotKit

struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Rebuild the patch series in a thread or mailbox the way b4 am does.",
        discussion: """
            Examples:
              reviewbot series https://lore.kernel.org/all/20250101-foo-v3-0-abc@example.org/
              reviewbot series thread.mbox --json
              reviewbot series thread.mbox --version 2 --export-mbox v2.mbox
            """)

    @Argument(help: "A file, directory or - ; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
    var source: String

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

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

    func run() async throws {
        let config = try global.loadConfiguration()
        let reader = SourceReader(configuration: config, flags: sourceOptions.flags,
                                  environment: ProcessInfo.processInfo.environment)
        let outcome: SeriesReport.Outcome
        do {
            outcome = try await SeriesReport.run(.init(source: source, json: json, version: version, messageID: msgid,
                                                       exportPath: exportMbox), reader: reader)
        } catch {
            throw Diagnostics.fail(error)
        }
        FileHandle.standardOutput.write(Data(outcome.output.utf8))
        FileHandle.standardError.write(Data(outcome.errors.utf8))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
