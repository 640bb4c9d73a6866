import Foundation
import MboxParser
import ReviewEngine

extension FeedbackJob {
    /// What reading a review's thread found.
    public struct ThreadReport: Sendable {
        /// Our reviews found in the thread.
        public var reviews: Int
        /// Replies to them from the patch's author or the reviewer.
        public var replies: Int
        public var disputes: [FindingDispute]

        public var listing: String {
            var lines = ["\(reviews) review\(reviews == 1 ? "" : "s") of ours in the thread, \(replies) "
                + "repl\(replies == 1 ? "y" : "ies") from the patch's author or you"]
            for dispute in disputes {
                lines.append("disputed \(dispute.fingerprint.prefix(12)) by \(TerminalSafe.line(dispute.replyAuthor)) "
                    + "(\(TerminalSafe.line(dispute.patchTitle))): the next revision's review gives the model this reply")
            }
            if disputes.isEmpty { lines.append("no comment disputed") }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// `feedback --thread MSGID`: reads the thread of `messageID` (a patch or our review) on
    /// lore, finds our reviews in it (by their Message-ID, or as the reviewer's reply to a
    /// patch whose findings we kept), and marks each comment that the patch's author or
    /// the reviewer disputed (`DisputeRule`). A thread that cannot be fetched is an error
    /// the caller may report and go on from: nothing else depends on it.
    public func readThread(_ messageID: String, store: StateStore, date: Date = Date()) async throws -> ThreadReport {
        let id = try DraftFiles.checkedMessageID(messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")))
        let reader = SourceReader(configuration: configuration, flags: flags, environment: environment)
        let messages = try await reader.seriesMessages(id).messages
        let reviewer = try? configuration.reviewer(environment: environment).email.lowercased()
        let byID = Dictionary(messages.compactMap { m in m.messageID.map { ($0, m) } }, uniquingKeysWith: { first, _ in first })

        var report = ThreadReport(reviews: 0, replies: 0, disputes: [])
        for review in messages {
            guard let reviewID = review.messageID else { continue }
            var findings = try store.keptFindings(draftMessageID: reviewID)
            if findings.isEmpty, let reviewer, review.from?.email.lowercased() == reviewer, let patchID = review.inReplyTo {
                findings = try store.keptFindings(patchMessageID: patchID)
            }
            guard !findings.isEmpty else { continue }
            report.reviews += 1
            let author = review.inReplyTo.flatMap { byID[$0]?.author?.email.lowercased() }
            let allowed = Set([author, reviewer].compactMap { $0 })
            for reply in messages where reply.inReplyTo == reviewID {
                guard let from = reply.from, allowed.contains(from.email.lowercased()) else { continue }
                report.replies += 1
                for (finding, answer) in DisputeRule.disputed(findings, replyBody: reply.bodyText) {
                    let dispute = FindingDispute(
                        fingerprint: finding.fingerprint, seriesKey: finding.seriesKey, revision: finding.revision,
                        patchTitle: finding.patchTitle, replyMessageID: reply.messageID ?? "",
                        replyAuthor: from.name.isEmpty ? from.email : "\(from.name) <\(from.email)>",
                        replyText: answer, comment: finding.comment, recordedAt: date)
                    try store.recordDispute(dispute)
                    report.disputes.append(dispute)
                }
            }
        }
        return report
    }
}
