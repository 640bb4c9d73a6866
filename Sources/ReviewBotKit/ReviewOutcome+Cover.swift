import Foundation
import MboxParser
import ReviewEngine

extension ReviewDraft {
    /// The summary reply to the cover letter, when the series has one, has at least
    /// `minPatches` patches (0: never) and at least one patch got a draft. Keyed as patch 0
    /// (`0000.eml`) beside the patch drafts.
    static func coverReply(series: PatchSeries, patches: [ReviewedPatch], report: ReviewReport,
                           drafts: [Int: ReviewDraft], minPatches: Int, includeUnverified: Bool,
                           settings: DraftSettings, date: Date) -> ReviewDraft? {
        guard minPatches > 0, series.total >= minPatches, let cover = series.cover, !drafts.isEmpty,
              let messageID = cover.message.messageID else { return nil }
        var commented: [CoverReplyInput.PatchLine] = []
        for review in report.patches where review.patchIndex < patches.count {
            let item = patches[review.patchIndex]
            guard drafts[item.number] != nil else { continue }
            let drafted = review.draftable(includeUnverified: includeUnverified)
            let severities = Severity.allCases.reversed().map(\.rawValue).filter { severity in
                drafted.contains { $0.finding.severity.rawValue == severity }
            }
            commented.append(.init(subject: item.subject, comments: drafted.count, severities: severities))
        }
        var notReviewed: [String] = []
        for review in report.patches where review.patchIndex < patches.count {
            let label = "patch \(patches[review.patchIndex].number)/\(series.total)"
            let reasons = Set(review.skipped.map { $0.reason.rawValue.replacingOccurrences(of: "-", with: " ") }).sorted()
            if !reasons.isEmpty { notReviewed.append("\(label): parts \(reasons.joined(separator: ", "))") }
            let unfinished = review.tasks.filter { if case .reviewed = $0.status { false } else { true } }.count
            if unfinished > 0 { notReviewed.append("\(label): \(unfinished) task\(unfinished == 1 ? "" : "s") not done") }
        }
        let author = cover.message.author ?? MailAddress(name: "", email: "unknown@invalid")
        let mail = OriginalMail(messageID: messageID, subject: cover.message.subject, references: cover.message.references,
                                author: author, to: cover.message.to, cc: cover.message.cc, date: cover.message.dateHeader)
        return coverReply(CoverReplyInput(mail: mail, patchCount: series.total, commented: commented,
                                          notReviewed: notReviewed), settings: settings, date: date)
    }
}
