import Foundation
import MboxParser

/// What a reply to the cover letter (0/N) summarises: per patch, the comments drafted
/// in reply to it; then what was not reviewed.
public struct CoverReplyInput: Sendable {
    public struct PatchLine: Sendable, Equatable {
        /// The patch's subject as sent (`[PATCH v2 3/7] foo: bar`).
        public var subject: String
        /// Comments in the draft replying to this patch.
        public var comments: Int
        /// Their severities, highest first, without repeats (`high`, `low`).
        public var severities: [String]

        public init(subject: String, comments: Int, severities: [String]) {
            self.subject = subject
            self.comments = comments
            self.severities = severities
        }
    }

    /// The cover letter.
    public var mail: OriginalMail
    /// Patches in the series.
    public var patchCount: Int
    /// The patches with comments, in series order.
    public var commented: [PatchLine]
    /// One line per part that was not reviewed (`patch 4/7: not selected`).
    public var notReviewed: [String]

    public init(mail: OriginalMail, patchCount: Int, commented: [PatchLine], notReviewed: [String]) {
        self.mail = mail
        self.patchCount = patchCount
        self.commented = commented
        self.notReviewed = notReviewed
    }
}

extension ReviewDraft {
    /// The reply to the cover letter: which patches have comments (each answered in its own
    /// draft) and what was not reviewed, under the same headers and disclosure as every
    /// other draft. It states only what the run did: a maintainer edits it into their own
    /// verdict on the series.
    public static func coverReply(_ input: CoverReplyInput, settings: DraftSettings, date: Date) -> ReviewDraft {
        var summaryLines: [String] = []
        let commented = input.commented.count
        summaryLines.append(TextWrapping.wrap(
            "I have comments on \(commented) of the \(input.patchCount) patches, in my replies to each:"))
        summaryLines.append("")
        for patch in input.commented {
            let noun = patch.comments == 1 ? "comment" : "comments"
            let severity = patch.severities.isEmpty ? "" : " (\(patch.severities.joined(separator: ", ")))"
            // One line, whatever the patch's subject held.
            summaryLines.append("  \(MailHeaderText.singleLine(patch.subject))")
            summaryLines.append("    \(patch.comments) \(noun)\(severity)")
        }
        if !input.notReviewed.isEmpty {
            summaryLines.append("")
            summaryLines.append("Not reviewed:")
            for line in input.notReviewed { summaryLines.append("  " + line) }
        }
        let summaryText = summaryLines.joined(separator: "\n")

        var body: [String] = []
        if !settings.disclosure.isEmpty {
            body.append(TextWrapping.wrap(settings.disclosure))
            body.append("")
        }
        body.append(summaryText)
        if let signature = settings.signature, !signature.isEmpty {
            body.append("")
            body.append("-- ")
            body.append(signature)
        }
        let text = body.joined(separator: "\n") + "\n"
        let (mail, messageID, notes) = replyMail(text: text, to: input.mail, settings: settings, date: date)
        let oneLine = "comments on \(commented) of \(input.patchCount) patches"
        return ReviewDraft(reviewInline: summaryText + "\n", quotedReview: summaryText, summary: oneLine, mail: mail,
                           messageID: messageID, unplaced: [], notes: notes)
    }
}
