import Foundation
import MboxParser

/// Whether a new revision answered an earlier review comment.
public enum CommentStatus: String, Sendable, Hashable, Codable {
    case addressed
    case notAddressed = "not addressed"
    case unclear
}

/// A finding of this review, reduced to what matching it against comments needs.
public struct RaisedFinding: Sendable, Hashable {
    public var file: String
    public var anchor: String
    public var comment: String
    public var evidence: String?

    public init(file: String, anchor: String, comment: String, evidence: String?) {
        self.file = file
        self.anchor = anchor
        self.comment = comment
        self.evidence = evidence
    }

    /// Whether the finding names `comment`: by its id (`v1-C2`) or its reply's Message-ID
    /// (the lore link the model is asked to give).
    public func cites(_ comment: ReviewComment) -> Bool {
        let text = self.comment + "\n" + (evidence ?? "")
        if !comment.id.isEmpty, Self.containsWord(text, comment.id) { return true }
        return !comment.messageID.isEmpty && text.contains(comment.messageID)
    }

    static func containsWord(_ text: String, _ word: String) -> Bool {
        var search = text[...]
        while let range = search.range(of: word) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let isWordChar = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } ?? false }
            if !isWordChar(before), !isWordChar(after) { return true }
            search = text[range.upperBound...]
        }
        return false
    }
}

/// A comment's status, with the fact it rests on.
public struct CommentVerdict: Sendable, Hashable {
    public var status: CommentStatus
    public var reason: String
}

extension ReviewComment {
    /// The status of this comment in the revision under review. The tool contract has no
    /// place for a per-comment answer, so the status comes from two facts: a finding of
    /// this review that cites the comment means the model found it unanswered; otherwise
    /// the lines the comment sat under tell whether the code it was about changed.
    public func verdict(in patch: Patch, raised: [RaisedFinding]) -> CommentVerdict {
        if raised.contains(where: { $0.cites(self) }) {
            return CommentVerdict(status: .notAddressed, reason: "this review raised it again")
        }
        if let file {
            let added = Set(patch.files.filter { $0.path == file || $0.oldPath == file }
                .flatMap(\.hunks).flatMap(\.lines).filter { $0.kind == .added }.map { Self.normalized($0.text) })
            let quotedAdded = quoted.reversed().prefix { !$0.hasPrefix("@@") }
                .filter { $0.hasPrefix("+") && !$0.hasPrefix("+++ ") }.map { Self.normalized(String($0.dropFirst())) }
                .filter { !$0.isEmpty }
            guard !quotedAdded.isEmpty else {
                return CommentVerdict(status: .unclear, reason: "it is about unchanged code around the patch")
            }
            if quotedAdded.contains(where: added.contains) {
                return CommentVerdict(status: .unclear,
                                      reason: "the lines it quotes are still in this revision, and this review raised nothing about it")
            }
            return CommentVerdict(status: .addressed, reason: "the lines it quotes changed")
        }
        let quotedText = quoted.map(Self.normalized).filter { !$0.isEmpty }
        guard !quotedText.isEmpty else {
            return CommentVerdict(status: .unclear, reason: "it quotes nothing to compare")
        }
        let message = Set(patch.commitMessage.split(separator: "\n").map { Self.normalized(String($0)) })
        if quotedText.contains(where: message.contains) {
            return CommentVerdict(status: .unclear, reason: "the commit message lines it quotes are unchanged")
        }
        return CommentVerdict(status: .addressed, reason: "the commit message lines it quotes changed")
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether `finding` repeats this comment: the same file, the line it sits under among
    /// the lines the comment quotes last, and enough words in common. Used for comments of
    /// AI reviewers: what one already sent is not sent again.
    public func isRepeated(by finding: RaisedFinding) -> Bool {
        guard let file, file == finding.file else { return false }
        let anchor = Self.normalized(finding.anchor)
        let near = quotedCode.suffix(Self.nearLines).map(Self.normalized)
        guard !anchor.isEmpty, near.contains(anchor) else { return false }
        let mine = Self.tokens(finding.comment + " " + (finding.evidence ?? ""))
        let theirs = Self.tokens(text)
        let union = mine.union(theirs).count
        return union > 0 && Double(mine.intersection(theirs).count) / Double(union) >= Self.repeatSimilarity
    }

    /// Quoted lines above a comment it may be about: a bot quotes a few lines of context
    /// and comments under the last; five covers a comment on a statement split over lines.
    public static let nearLines = 5
    /// Word overlap at which two comments on the same line say the same thing. Two
    /// reviewers word things differently, so this is far below the 0.8 that merges our own
    /// duplicates; the same line and a shared function or field name already carry most of it.
    public static let repeatSimilarity = 0.2

    static func tokens(_ text: String) -> Set<Substring> {
        Set(text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.filter { $0.count > 2 })
    }
}

extension PreviousFinding {
    /// Our own earlier finding's status: found again by this review (and so not repeated),
    /// gone with the line it was about, or still there with nothing said.
    public func verdict(in patch: Patch, foundAgain: [RaisedFinding]) -> CommentVerdict {
        let wanted = ReviewComment.normalized(anchor)
        if foundAgain.contains(where: { $0.file == file && ReviewComment.normalized($0.anchor) == wanted }) {
            return CommentVerdict(status: .notAddressed, reason: "this review found it again (not repeated in the drafts)")
        }
        if file.hasPrefix("(") {
            let message = Set(patch.commitMessage.split(separator: "\n").map { ReviewComment.normalized(String($0)) })
            return message.contains(wanted)
                ? CommentVerdict(status: .unclear, reason: "the commit message line is unchanged")
                : CommentVerdict(status: .addressed, reason: "the commit message line changed")
        }
        let lines = patch.files.filter { $0.path == file }.flatMap(\.hunks).flatMap(\.lines)
            .filter { $0.kind != .removed }.map { ReviewComment.normalized($0.text) }
        if lines.contains(wanted) {
            return CommentVerdict(status: .unclear, reason: "the line it was about is still in this revision")
        }
        return CommentVerdict(status: .addressed, reason: "the line it was about changed")
    }
}
