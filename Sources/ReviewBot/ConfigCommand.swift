import ArgumentParser
import Foundation
import ReviewBotKit

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the effective configuration.",
        subcommands: [Dump.self])

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration as TOML, secrets masked.",
            discussion: """
                Defaults, then the config file, then the environment (ANTHROPIC_BASE_URL).
                Example: reviewbot config dump --config ~/reviewbot.toml
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try global.loadConfiguration()
            print(config.dump(environment: ProcessInfo.processInfo.environment), terminator: "")
        }
    }
}
