import ArgumentParser
import ReviewBotKit

@main
struct ReviewBotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reviewbot",
        abstract: "Review Linux kernel patch series and draft inline replies.",
        subcommands: [ScanCommand.self])
}
