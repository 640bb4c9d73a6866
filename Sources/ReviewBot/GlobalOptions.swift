import ArgumentParser
import Foundation
import ReviewBotKit

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Configuration file (TOML).",
        discussion: "Default: $XDG_CONFIG_HOME/reviewbot/config.toml.", valueName: "FILE"))
    var config: String?

    /// Loads the configuration and checks every value against its allowed range,
    /// printing unknown-key warnings to stderr; a bad value stops the command (exit 2).
    func loadConfiguration() throws -> Configuration {
        let env = ProcessInfo.processInfo.environment
        do {
            let (configuration, warnings) = try Configuration.loadValidated(path: config, environment: env)
            for warning in warnings { Diagnostics.warn(warning) }
            return configuration
        } catch let error as ReviewBotError {
            throw Diagnostics.fail(error.description, code: .usage)
        }
    }

    /// The configuration as loaded, out-of-range values and all (`config dump` shows them).
    func loadUnchecked() throws -> Configuration {
        do {
            let (configuration, warnings) = try Configuration.load(path: config, environment: ProcessInfo.processInfo.environment)
            for warning in warnings { Diagnostics.warn(warning) }
            return configuration
        } catch let error as ReviewBotError {
            throw Diagnostics.fail(error.description, code: .usage)
        }
    }
}
