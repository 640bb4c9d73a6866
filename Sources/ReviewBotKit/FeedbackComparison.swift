import Foundation
import ReviewEngine

/// How a drafted comment compares with what the maintainer sent. Both are reduced to
/// words (lowercase letters, digits and `_`, so re-wrapping, punctuation and quoting do not
/// count as edits); then:
/// - **accepted**: the comment's words appear, in order and unbroken, in one unquoted
///   block of the sent reply;
/// - **edited**: at least `editedThreshold` of the comment's words survive, in order, in
///   one block (the longest common subsequence of words, over the comment's length);
/// - **rejected**: less than that: the comment was deleted, or replaced by words of the
///   maintainer's own.
public enum FeedbackComparison {
    /// Half the words, in order: a reworded comment keeps its identifiers and most of its
    /// question; an unrelated paragraph shares only the common words ("the", "this",
    /// "is"), which in our comments make up well under half.
    public static let editedThreshold = 0.5
    /// Words of a comment and of a block considered: a review comment is a few sentences;
    /// a block longer than this is a quoted-away mail, not a comment. It bounds the
    /// comparison's work (comment words times block words).
    static let maxCommentWords = 600
    static let maxBlockWords = 6_000

    public struct Result: Sendable, Hashable {
        public var finding: KeptFinding
        public var verdict: FeedbackVerdict
        /// The share of the comment's words that survived in the best block.
        public var similarity: Double
        /// The block that best matches an edited comment.
        public var sentText: String?
    }

    /// Compares each finding's comment with the unquoted blocks of `sentBody`.
    public static func compare(_ findings: [KeptFinding], sentBody: String) -> [Result] {
        let blocks = commentBlocks(in: sentBody).map { ($0, Array(words($0).prefix(maxBlockWords))) }
        return findings.map { finding in
            let comment = Array(words(finding.comment).prefix(maxCommentWords))
            guard !comment.isEmpty else { return Result(finding: finding, verdict: .rejected, similarity: 0) }
            var best = (share: 0.0, block: nil as String?)
            for (text, blockWords) in blocks {
                if containsRun(comment, in: blockWords) {
                    return Result(finding: finding, verdict: .accepted, similarity: 1)
                }
                let share = Double(commonSubsequence(comment, blockWords)) / Double(comment.count)
                if share > best.share { best = (share, text) }
            }
            return best.share >= editedThreshold
                ? Result(finding: finding, verdict: .edited, similarity: best.share, sentText: best.block)
                : Result(finding: finding, verdict: .rejected, similarity: best.share)
        }
    }

    /// The reviewer's own text of a reply: each run of lines that are not quoted (`>`),
    /// up to the signature (`-- `). Blank lines stay inside a run, so a comment of several
    /// paragraphs is one block.
    public static func commentBlocks(in body: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring] = []
        func flush() {
            let text = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { blocks.append(text) }
            current = []
        }
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line == "-- " { break }
            if line.hasPrefix(">") { flush() } else { current.append(line) }
        }
        flush()
        return blocks
    }

    /// Lowercase words of letters, digits and `_`.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
    }

    /// Whether `needle` occurs in `haystack` as an unbroken run.
    static func containsRun(_ needle: [String], in haystack: [String]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start..<start + needle.count].elementsEqual(needle)
        }
    }

    /// Length of the longest common subsequence, in two rows of memory.
    static func commonSubsequence(_ a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
