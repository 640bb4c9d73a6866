import ArgumentParser
import Foundation
import ReviewBotKit

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Configuration file (TOML).",
        discussion: "Default: $XDG_CONFIG_HOME/reviewbot/config.toml.", valueName: "FILE"))
    var config: String?

    /// Loads the configuration, printing unknown-key warnings to stderr.
    func loadConfiguration() throws -> Configuration {
        let env = ProcessInfo.processInfo.environment
        do {
            let (configuration, warnings) = try Configuration.load(path: config, environment: env)
            for warning in warnings { Diagnostics.warn(warning) }
            return configuration
        } catch let error as ReviewBotError {
            throw Diagnostics.fail(error.description, code: .usage)
        }
    }
}
