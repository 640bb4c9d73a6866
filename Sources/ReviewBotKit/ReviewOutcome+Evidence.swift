import FixEvidence
import Foundation
import ReviewEngine

/// One earlier comment (or our own earlier finding) with its status in this revision.
public struct EarlierCommentStatus: Sendable, Hashable {
    public var patchIndex: Int
    public var id: String
    /// `Rita Reviewer on v1` or `our finding on v1`.
    public var who: String
    public var link: String
    public var status: CommentStatus
    public var reason: String
    /// The comment's first line, shortened.
    public var gist: String
}

extension ReviewOutcome {
    /// Each earlier comment's status: a finding of this review citing it means not
    /// addressed; otherwise the lines it was about decide (see `ReviewComment.verdict`).
    public var earlierCommentStatuses: [EarlierCommentStatus] {
        var result: [EarlierCommentStatus] = []
        for review in report.patches {
            guard review.patchIndex < evidence.count, let evidence = evidence[review.patchIndex],
                  review.patchIndex < patches.count else { continue }
            let patch = patches[review.patchIndex].patch
            let countsAsRaised = review.dropped.filter {
                switch $0.reason {
                case .overPatchCap, .belowSeverityFloor: true
                default: false
                }
            }.map { RaisedFinding(file: $0.finding.file, anchor: $0.finding.anchor, comment: $0.finding.comment,
                                  evidence: $0.finding.evidence) }
            let raised = review.findings.map(RaisedFinding.init) + countsAsRaised
            for comment in evidence.earlierComments {
                let verdict = comment.verdict(in: patch, raised: raised)
                result.append(EarlierCommentStatus(
                    patchIndex: review.patchIndex, id: comment.id, who: "\(UntrustedText.oneLine(comment.reviewerName, limit: 100)) on v\(comment.revision)",
                    link: comment.link, status: verdict.status, reason: verdict.reason, gist: Self.gist(comment.text)))
            }
            let foundAgain = review.dropped.filter { $0.reason == .reportedInEarlierRevision }
                .map { RaisedFinding(file: $0.finding.file, anchor: $0.finding.anchor, comment: $0.finding.comment,
                                     evidence: $0.finding.evidence) } + raised
            for finding in evidence.previousFindings {
                let verdict = finding.verdict(in: patch, foundAgain: foundAgain)
                result.append(EarlierCommentStatus(
                    patchIndex: review.patchIndex, id: finding.id, who: "our finding on v\(finding.revision)", link: "",
                    status: verdict.status, reason: verdict.reason, gist: Self.gist(finding.comment)))
            }
        }
        return result
    }

    /// The report.md sections about evidence: the syzbot bugs and what could not be
    /// fetched, the fix checks, and the earlier review comments with their status. Empty
    /// when no patch had any.
    var evidenceSections: [String] {
        var out: [String] = []
        var evidenceLines: [String] = []
        var checkLines: [String] = []
        for (index, item) in evidence.enumerated() {
            guard let item, index < patches.count else { continue }
            let label = "patch \(patches[index].number)"
            for bug in item.syzbot {
                let report = bug.reports.first
                let stacks = report.map { r in r.stacks.map(\.label).joined(separator: ", ") } ?? ""
                evidenceLines.append("- \(label): syzbot \(Self.gist(bug.bug.title ?? bug.reference.description)) "
                    + "(\(bug.pageURL)): " + (report.map { "\($0.crashClass.rawValue), \($0.stacks.count) stack(s) [\(stacks)]" }
                                                ?? "no report text")
                    + (bug.hasReproducer ? ", with a reproducer" : ", no reproducer"))
            }
            for note in item.notes { evidenceLines.append("- \(label): \(Self.gist(note, limit: 300))") }
            for check in item.checks {
                checkLines.append("- \(label), `\(Self.gist(check.subject, limit: 120))`: \(Self.name(check.kind)): "
                    + "**\(check.outcome.rawValue)** (\(Self.gist(check.detail, limit: 200)))")
            }
        }
        let repeats = report.patches.flatMap { review in
            review.dropped.compactMap { drop -> String? in
                guard case .raisedByAnotherReviewer(let id) = drop.reason, review.patchIndex < patches.count else { return nil }
                return "- patch \(patches[review.patchIndex].number): a finding on `\(drop.finding.file)` was not "
                    + "repeated: another AI reviewer already sent it (\(id))"
            }
        }
        if !evidenceLines.isEmpty || !repeats.isEmpty {
            out += ["## Evidence", ""] + evidenceLines + repeats + [""]
        }
        if !checkLines.isEmpty {
            out += ["## Fix checks", ""] + checkLines + [""]
        }
        let statuses = earlierCommentStatuses
        if !statuses.isEmpty {
            out += ["## Earlier review comments", ""]
            for item in statuses {
                let number = item.patchIndex < patches.count ? patches[item.patchIndex].number : item.patchIndex + 1
                out.append("- patch \(number), \(item.id), \(item.who)\(item.link.isEmpty ? "" : " (\(item.link))"): "
                    + "**\(item.status.rawValue)**, \(item.reason). \"\(item.gist)\"")
            }
            out.append("")
        }
        return out
    }

    static func name(_ kind: FixCheck.Kind) -> String {
        switch kind {
        case .fixesCommitExists: "the commit exists"
        case .fixesSubjectMatches: "the subject matches"
        case .fixesTouchesPatch: "the commit touched this code"
        case .syzbotStackChanged: "the fix changes the report's stacks"
        }
    }

    /// The first line of `text`, at most `limit` bytes, with nothing in it that could hide
    /// or reorder text: comments, titles and notes come from strangers.
    static func gist(_ text: String, limit: Int = 100) -> String {
        UntrustedText.oneLine(String(text.split(separator: "\n").first ?? ""), limit: limit)
    }
}
