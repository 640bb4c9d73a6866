import FixEvidence
import Foundation
import MboxParser

/// Where the verification pass left a finding.
public enum VerificationStatus: Sendable, Hashable {
    /// Verification was off (`--no-verify`) or not reached.
    case notVerified
    case confirmed(reason: String)
    /// Kept, but the report marks it as uncertain.
    case uncertain(reason: String)
    /// Dropped from the review (listed with `DropReason.refuted`).
    case refuted(reason: String)
    /// The verification request failed; kept, marked as unverified with the reason.
    case failed(reason: String)
}

/// A finding tied to a real line of the task's diff.
public struct AnchoredFinding: Sendable, Hashable {
    public var finding: Finding
    public var taskID: String
    public var patchIndex: Int
    /// The diff line the anchor matched, with its real kind and line numbers.
    public var line: DiffLine
    /// The line's position in the patch (a one-line span).
    public var position: HunkSpan
    public var fingerprint: Fingerprint
    public var verification: VerificationStatus = .notVerified
    /// How many reports were merged into this one (1 when no duplicate was seen).
    public var mergedCount: Int = 1
    /// Set for a finding written without a model call, from a failed deterministic check.
    public var check: FixCheck.Kind?
    /// Set when the finding is about a line of the commit message (its text) rather than
    /// a diff line; `line` and `position` then do not point into the diff.
    public var commitMessageLine: String?

    public var file: String { finding.file }
}

/// Why a finding reported by the model is not in the review.
public enum DropReason: Sendable, Hashable {
    /// The `file` is not one of the task's files.
    case fileNotInTask
    /// No line of the task's diff for that file has the anchor text.
    case anchorNotFound
    case refuted(reason: String)
    case belowSeverityFloor
    case overPatchCap
    /// Same fingerprint reported on an earlier revision of the series.
    case reportedInEarlierRevision
    /// The comment or evidence names code (functions, fields, structs, macros) that exists
    /// neither in the tree after the patch nor anywhere in the series.
    case citesUnknownCode(names: [String])
    /// Another AI reviewer already sent this comment to the thread (its id, `v2-B1`).
    case raisedByAnotherReviewer(String)
}

/// A finding left out, kept so the report can count and list it.
public struct DroppedFinding: Sendable, Hashable {
    public var finding: Finding
    public var taskID: String
    public var reason: DropReason
    /// How many reports were merged into it before it was dropped, so duplicates are
    /// counted whatever happened to the finding afterwards.
    public var mergedCount: Int = 1

    public init(finding: Finding, taskID: String, reason: DropReason) {
        self.finding = finding
        self.taskID = taskID
        self.reason = reason
    }

    /// An anchored (and possibly merged) finding left out for `reason`.
    public init(_ anchored: AnchoredFinding, reason: DropReason) {
        self.init(finding: anchored.finding, taskID: anchored.taskID, reason: reason)
        mergedCount = anchored.mergedCount
    }
}

/// A finding tied to its line, or why it could not be.
public enum AnchorResult: Sendable, Hashable {
    case anchored(AnchoredFinding)
    case dropped(DropReason)
}

extension ReviewTask {
    /// Ties a finding to the one diff line its `anchor` names: exact text after trimming
    /// trailing whitespace, in a slice of the named file. Line numbers from the model are
    /// never used. When the text occurs more than once, lines this task owns win over
    /// surrounding context, and added lines over removed over unchanged ones; then the first.
    public func anchor(_ finding: Finding) -> AnchorResult {
        let slices = hunks.filter { $0.file == finding.file }
        guard !slices.isEmpty else { return .dropped(.fileNotInTask) }
        let wanted = finding.anchor.trimmingTrailingWhitespace()
        var best: (rank: Int, slice: TaskHunk, index: Int)?
        for slice in slices {
            for index in slice.shown where slice.hunk.lines[index].kind != .noNewlineMarker {
                let line = slice.hunk.lines[index]
                guard line.text.trimmingTrailingWhitespace() == wanted else { continue }
                let kindRank = line.kind == .added ? 0 : line.kind == .removed ? 1 : 2
                let rank = (slice.owned.lines.contains(index) ? 0 : 3) + kindRank
                if best == nil || rank < best!.rank { best = (rank, slice, index) }
            }
        }
        guard let best else { return .dropped(.anchorNotFound) }
        let line = best.slice.hunk.lines[best.index]
        return .anchored(AnchoredFinding(
            finding: finding, taskID: id, patchIndex: patchIndex, line: line,
            position: HunkSpan(fileIndex: best.slice.owned.fileIndex, hunkIndex: best.slice.owned.hunkIndex,
                               lines: best.index..<best.index + 1),
            fingerprint: Fingerprint(file: finding.file, category: finding.category, hunk: best.slice.hunk,
                                     lineIndex: best.index)))
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
