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
                Every key has a comment saying what it does; a value outside its allowed
                range is marked '# INVALID:' and the command exits 2, as every other
                command would refuse to start with it.
                Example:
                  reviewbot config dump --config ~/reviewbot.toml
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let config = try global.loadUnchecked()
            print(config.dump(environment: environment), terminator: "")
            let problems = config.problems(environment: environment)
            if !problems.isEmpty {
                throw Diagnostics.fail("invalid configuration: " + problems.map(\.description).joined(separator: "; "),
                                       code: .usage)
            }
        }
    }
}
