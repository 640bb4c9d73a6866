import FixEvidence
import Foundation
import MboxParser
import ReviewEngine

/// One patch of the reviewed series, with what its reply needs.
public struct ReviewedPatch: Sendable {
    /// 1-based position in the series (the `NNNN` of the output files).
    public var number: Int
    public var subject: String
    public var title: String
    public var mail: OriginalMail
    /// The decoded body the patch was parsed from: drafts quote its lines.
    public var body: String
    public var patch: Patch
    /// What reading the mail and parsing the patch tolerated (charsets, hunk counts),
    /// each naming where; shown in the plan and the report.
    public var warnings: [String] = []

    public init(number: Int, subject: String, title: String, mail: OriginalMail, body: String, patch: Patch) {
        self.number = number
        self.subject = subject
        self.title = title
        self.mail = mail
        self.body = body
        self.patch = patch
    }
}

/// A finished (or dry) run: the series, the engine's report, and the drafts.
public struct ReviewOutcome: Sendable {
    public var seriesTitle: String
    public var revision: Int
    public var patches: [ReviewedPatch]
    public var report: ReviewReport
    /// Keyed by `ReviewedPatch.number`; patches without findings have none. Key 0 is the
    /// reply to the cover letter, when there is one.
    public var drafts: [Int: ReviewDraft]
    /// What the user should hear about the drafts and the output directory (recipients
    /// left out, edited drafts kept, another review's files set aside).
    public var notes: [String] = []
    /// Whether unverified findings were drafted (`[drafts] include_unverified`).
    public var includeUnverified = false
    /// Whether the verification pass was on for this run.
    public var verificationRan = true
    /// What each patch was checked against (by patch index); nil where there was nothing.
    public var evidence: [PatchEvidence?] = []

    public init(seriesTitle: String, revision: Int, patches: [ReviewedPatch], report: ReviewReport,
                drafts: [Int: ReviewDraft]) {
        self.seriesTitle = seriesTitle
        self.revision = revision
        self.patches = patches
        self.report = report
        self.drafts = drafts
    }

    /// The draft file names of patch `number`, relative to the output directory.
    public static func draftNames(_ number: Int) -> (inline: String, mail: String) {
        let stem = String(format: "%04d", number)
        return ("\(stem)-review-inline.txt", "\(stem).eml")
    }
}

extension ReviewDraft {
    /// Drafts the reply for each patch with findings, placing every kept finding under
    /// the line it anchored to. Findings no verification pass checked are left out
    /// unless `includeUnverified` (they stay in the report).
    public static func drafts(for patches: [ReviewedPatch], report: ReviewReport, settings: DraftSettings,
                              date: Date, includeUnverified: Bool = false) -> [Int: ReviewDraft] {
        var drafts: [Int: ReviewDraft] = [:]
        for review in report.patches {
            let findings = review.draftable(includeUnverified: includeUnverified)
            guard !findings.isEmpty, review.patchIndex < patches.count else { continue }
            let item = patches[review.patchIndex]
            let comments = findings.map { finding in
                DraftComment(anchor: finding.commitMessageLine.map { .commitMessage($0) }
                                ?? .diff(file: finding.position.fileIndex, hunk: finding.position.hunkIndex,
                                         line: finding.position.lines.lowerBound),
                             severity: finding.finding.severity.rawValue,
                             category: finding.finding.category.rawValue, text: finding.finding.comment)
            }
            let input = ReviewDraftInput(mail: item.mail, title: item.title, body: item.body, patch: item.patch,
                                         comments: comments)
            drafts[item.number] = ReviewDraft.make(input, settings: settings, date: date)
        }
        return drafts
    }
}
