import ArgumentParser
import Foundation
import ReviewBotKit

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the review tasks, the prompt files that match, and the estimated cost; no API call.",
        discussion: """
            A source holding several series needs --msgid or --match, or --all to
            plan each complete series.
            Examples:
              reviewbot plan https://lore.kernel.org/all/<message-id>/
              reviewbot plan thread.mbox --json --task-lines 150
              reviewbot plan ~/Mail/netdev --all
            """)

    @Argument(help: "A file, directory or -; a message-id, lore or patch.msgid.link URL; imaps://user@host/Mailbox.")
    var source: String

    @Flag(help: "Print the plan as JSON (with --all, a JSON array of plans).")
    var json = false

    @Flag(help: "Plan every complete series of the source.")
    var all = false

    @OptionGroup var review: ReviewOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var sourceOptions: SourceOptions

    func validate() throws {
        if all, review.series.msgid != nil || review.series.match != nil || review.series.revision != nil {
            throw ValidationError("--all plans every complete series; it takes no --msgid, --match or --revision")
        }
    }

    func run() async throws {
        var config = try global.loadConfiguration()
        review.apply(to: &config)
        do {
            guard all else {
                let prepared = try await review.prepare(source, config: config, sourceOptions: sourceOptions)
                print(json ? prepared.planJSON : prepared.planListing, terminator: "")
                return
            }
            let found = try await PreparedReview.prepareAll(try review.selection(source),
                                                            reader: review.reader(config, sourceOptions),
                                                            library: try review.library(config))
            for entry in found.incomplete {
                Diagnostics.note("not planned, incomplete: \(entry.revisionLabel) \(entry.title) (--msgid \(entry.selector ?? "?"))")
            }
            let plans = found.reviews.map(\.review)
            if json {
                print("[" + plans.map { $0.planJSON.trimmingCharacters(in: .newlines) }.joined(separator: ",\n") + "]")
            } else {
                print(plans.map(\.planListing).joined(separator: "\n"), terminator: "")
                let costs = plans.map(\.estimate.cost)
                if plans.count > 1, !costs.contains(where: { $0 == nil }) {
                    print(String(format: "\n%d series; estimated cost in all: $%.4f", plans.count,
                                 costs.reduce(0) { $0 + ($1 ?? 0) }))
                }
            }
        } catch {
            throw Diagnostics.failChoosing(error)
        }
    }
}
