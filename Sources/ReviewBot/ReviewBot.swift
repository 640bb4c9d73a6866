import ArgumentParser
import ReviewBotKit

@main
struct ReviewBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reviewbot",
        abstract: "Review Linux kernel patch series and draft inline replies.",
        subcommands: [FetchCommand.self, DraftsCommand.self])
}
