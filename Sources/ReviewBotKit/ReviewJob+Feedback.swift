import Foundation
import ReviewEngine

extension ReviewJob {
    /// The findings the review kept, each with the draft that carries it and the guides in
    /// force for its patch, as `reviewbot feedback` and `reviewbot stats` need them later.
    func keptFindings(_ report: ReviewReport, drafts: [Int: ReviewDraft], includeUnverified: Bool) -> [KeptFinding] {
        report.patches.flatMap { review -> [KeptFinding] in
            guard review.patchIndex < prepared.patches.count else { return [] }
            let patch = prepared.patches[review.patchIndex]
            let matches = review.patchIndex < prepared.matches.count ? prepared.matches[review.patchIndex] : []
            let guides = matches.filter { $0.file.kind != .pattern }.map(\.file.name)
            let patterns = matches.filter { $0.file.kind == .pattern }.map(\.file.name)
            let draft = drafts[patch.number]
            return review.findings.map { finding in
                let drafted = draft != nil && (includeUnverified || finding.isVerified)
                return KeptFinding(
                    fingerprint: finding.fingerprint.hex, seriesKey: report.identity.key,
                    revision: report.identity.revision, patchTitle: patch.title,
                    patchMessageID: patch.mail.messageID.isEmpty ? nil : patch.mail.messageID,
                    draftMessageID: drafted ? draft?.messageID : nil, file: finding.file, anchor: finding.line.text,
                    category: finding.finding.category.rawValue, severity: finding.finding.severity.rawValue,
                    comment: finding.finding.comment, guides: guides, patterns: patterns)
            }
        }
    }

    /// Remembers the kept findings; a failing database becomes a warning of the report.
    func recordKeptFindings(_ report: inout ReviewReport, drafts: [Int: ReviewDraft], includeUnverified: Bool,
                            store: StateStore?) {
        guard let store else { return }
        do {
            try store.recordKeptFindings(keptFindings(report, drafts: drafts, includeUnverified: includeUnverified))
        } catch {
            report.warnings.append("\(error)")
        }
    }
}
