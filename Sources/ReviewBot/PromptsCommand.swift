import ArgumentParser
import Foundation
import ReviewBotKit

struct PromptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "List, show and match the review prompt files.",
        subcommands: [List.self, Show.self, Match.self])

    struct Options: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp(
            "Directory whose files replace (same relative path) or add to the bundled prompts "
                + "(default: $XDG_CONFIG_HOME/reviewbot/prompts when it exists).",
            valueName: "dir"))
        var prompts: String?

        func tool() throws -> PromptsTool {
            let tool = try PromptsTool(promptsDirectory: prompts)
            for warning in tool.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            return tool
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every prompt file and where it comes from.",
            discussion: "Example: reviewbot prompts list --prompts ~/my-review-prompts")
        @OptionGroup var options: Options

        func run() throws { print(try options.tool().list(), terminator: "") }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one prompt file as the review uses it.",
            discussion: "Example: reviewbot prompts show subsystems/sound.md")
        @OptionGroup var options: Options
        @Argument(help: "A name from 'prompts list', or a path such as subsystems/sound.md.")
        var name: String

        func run() throws { print(try options.tool().show(name), terminator: "") }
    }

    struct Match: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, per patch, which subsystem and pattern files trigger and why.",
            discussion: """
                The prefix figure is the one `reviewbot plan` prints for the patch.
                Example:
                  reviewbot prompts match https://lore.kernel.org/all/<message-id>/
                """)
        @OptionGroup var options: Options
        @OptionGroup var global: GlobalOptions
        @OptionGroup var sourceOptions: SourceOptions
        @OptionGroup var series: SeriesOptions
        @Argument(help: "A file, directory or -; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
        var source: String

        func run() async throws {
            var config = try global.loadConfiguration()
            // Matching guides reads the patches only; applying the series to [tree] path
            // would cost time and could fail for nothing.
            config.tree.path = nil
            let tool = try options.tool()
            let reader = SourceReader(configuration: config, flags: sourceOptions.flags,
                                      environment: ProcessInfo.processInfo.environment)
            do {
                let selection = ReviewSelection(source: source, version: series.revision, messageID: series.msgid,
                                                match: series.match)
                let prepared = try await PreparedReview.prepare(selection, reader: reader, library: tool.library)
                for note in prepared.notes { printError("reviewbot: \(note)") }
                print(tool.match(prepared), terminator: "")
            } catch {
                throw Diagnostics.failChoosing(error)
            }
        }
    }
}
