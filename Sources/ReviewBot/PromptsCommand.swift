import ArgumentParser
import Foundation
import ReviewBotKit

struct PromptsCommand: ParsableCommand {
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
        static let configuration = CommandConfiguration(abstract: "List every prompt file and where it comes from.")
        @OptionGroup var options: Options

        func run() throws { print(try options.tool().list(), terminator: "") }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one prompt file as the review uses it.")
        @OptionGroup var options: Options
        @Argument(help: "A name from 'prompts list', or a path such as subsystems/sound.md.")
        var name: String

        func run() throws { print(try options.tool().show(name), terminator: "") }
    }

    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, per patch, which subsystem and pattern files trigger and why.")
        @OptionGroup var options: Options
        @Argument(help: "An mbox or .eml file, '-' for stdin, or a lore URL or message-id.")
        var source: String

        func run() throws {
            _ = try options.tool()
            // TODO(lead): read SOURCE with MailSources, parse each patch mail with
            // PatchParser.parse(body:) (not on this branch), then
            // print(try tool.match(patches)) -- PromptsTool.match takes [(subject, Patch)].
            FileHandle.standardError.write(Data(
                "prompts match: reading \(source) needs the mail reader, which is not wired in yet\n".utf8))
            throw ExitCode.failure
        }
    }
}
