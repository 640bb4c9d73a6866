import ArgumentParser
import Foundation
import ReviewBotKit

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the review tasks, the prompt files that match, and the estimated cost; no API call.",
        discussion: """
            Examples:
              reviewbot plan https://lore.kernel.org/all/<message-id>/
              reviewbot plan thread.mbox --json --task-lines 150
            """)

    @Argument(help: "A file, directory or -; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
    var source: String

    @Flag(help: "Print the plan as JSON.")
    var json = false

    @OptionGroup var review: ReviewOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func run() async throws {
        var config = try global.loadConfiguration()
        review.apply(to: &config)
        do {
            let prepared = try await review.prepare(source, config: config, sourceOptions: sourceOptions)
            print(json ? prepared.planJSON : prepared.planListing, terminator: "")
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}
