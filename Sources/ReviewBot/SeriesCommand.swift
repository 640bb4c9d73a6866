import ArgumentParser
import Foundation
import ReviewBotKit

struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Rebuild the patch series in a thread or mailbox the way b4 am does.",
        discussion: """
            A source holding several series (an IMAP folder, a list archive) lists
            them all: title, revision, author, complete or not, and the message-id
            that selects each. --msgid or --match then picks one.
            Examples:
              reviewbot series thread.mbox --json
              reviewbot series thread.mbox -v 2 --export-mbox v2.mbox
              reviewbot series ~/Mail/netdev --match 'page_pool'
            """)

    @Argument(help: "A file, directory or - ; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
    var source: String

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions
    @OptionGroup var series: SeriesOptions

    @Flag(help: "Print the series as JSON.")
    var json = false

    @Option(name: .customLong("export-mbox"), help: "Write a git-am-ready mbox with the trailers applied.")
    var exportMbox: String?

    func run() async throws {
        let config = try global.loadConfiguration()
        let reader = SourceReader(configuration: config, flags: sourceOptions.flags,
                                  environment: ProcessInfo.processInfo.environment)
        let outcome: SeriesReport.Outcome
        do {
            outcome = try await SeriesReport.run(.init(source: source, json: json, version: series.revision,
                                                       messageID: series.msgid, match: series.match,
                                                       exportPath: exportMbox), reader: reader)
        } catch {
            throw Diagnostics.fail(error)
        }
        FileHandle.standardOutput.write(Data(outcome.output.utf8))
        FileHandle.standardError.write(Data(outcome.errors.utf8))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
