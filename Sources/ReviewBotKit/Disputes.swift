import Foundation
import PromptLibrary
import ReviewEngine

extension PreparedReview {
    /// Gives each patch the comments of ours that a reply disputed on an earlier revision
    /// of the same series (matched by the patch's title): they go into the patch's context
    /// block, fenced, as material like the patch (`templates/disputed-comments.md`), so the
    /// model knows the argument before it raises the same point again. The plan's notes
    /// say which patches have them.
    public mutating func addDisputes(_ disputes: [FindingDispute], library: PromptLibrary) throws {
        guard !disputes.isEmpty else { return }
        for index in reviewSeries.patches.indices {
            let title = reviewSeries.patches[index].title
            let own = disputes.filter { $0.patchTitle == title }
            guard !own.isEmpty else { continue }
            let comments = own.map { dispute in
                MaterialFence.wrap(dispute.comment, label: "our comment on revision \(dispute.revision)") + "\n\n"
                    + MaterialFence.wrap("From: \(dispute.replyAuthor)\n\n\(dispute.replyText)", label: "the reply disputing it")
            }
            let block = try library.render(template: "disputed-comments",
                                           variables: ["comments": comments.joined(separator: "\n\n")])
            bundles[index].seriesContext += "\n\n" + block
            disputedComments[index] = own.count
            let number = patches.indices.contains(index) ? patches[index].number : index + 1
            notes.append("patch \(number): \(own.count) comment\(own.count == 1 ? "" : "s") of ours on an earlier "
                + "revision \(own.count == 1 ? "was" : "were") disputed on the list; the model is shown the "
                + "repl\(own.count == 1 ? "y" : "ies")")
        }
        estimate = plan.estimate(series: reviewSeries, prompts: bundles, model: modelName, prices: prices, tree: tree)
    }

    /// The disputes recorded for this series in the state database (when there is one).
    mutating func addStoredDisputes(environment: [String: String], library: PromptLibrary) {
        let url = XDGDirectories(environment: environment).stateDatabase
        guard reviewSeries.identity.revision > 1, FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            let store = try StateStore(url: url)
            try addDisputes(try store.disputes(seriesKey: reviewSeries.identity.key,
                                               before: reviewSeries.identity.revision), library: library)
        } catch {
            notes.append("disputed comments of earlier revisions were not read: \(error)")
        }
    }
}
