import Foundation
import ReviewEngine

/// When a reply on the list disputes one of our comments. Deterministic and conservative,
/// so a comment is marked disputed only when a person plainly said it is wrong:
/// 1. the reply quotes the comment: a run of once-quoted lines (`> text`, not `> > diff`)
///    whose words come, for at least `quoteThreshold` of them and at least
///    `minimumQuotedWords`, from that comment, in order;
/// 2. the first paragraph the replier wrote under that quote says it is wrong: it opens
///    with "no" or "nope", or holds one of `disagreement`'s phrases;
/// 3. and it holds none of `agreement`'s phrases ("good catch", "will fix" ...): a reply
///    that both agrees and objects is not counted.
/// Who may dispute (the patch's author, the reviewer) is decided by the caller.
public enum DisputeRule {
    /// Phrases that say a comment is wrong, matched whole-word and case-blind.
    public static let disagreement = [
        "not a bug", "not an issue", "not a problem", "false positive", "this is wrong", "that is wrong",
        "that's wrong", "this is not right", "incorrect", "i disagree", "disagree", "can't happen", "cannot happen",
        "can not happen", "never happens", "not possible", "isn't possible", "is intended", "intentional",
        "by design", "already handled", "already checked", "is fine as is", "this is fine", "that is fine",
        "is correct", "not needed", "not necessary", "unnecessary", "doesn't apply", "does not apply",
        "you are mistaken", "you're mistaken", "misread",
    ]
    /// Phrases that say the comment was taken; any of them cancels a dispute.
    public static let agreement = [
        "good catch", "nice catch", "will fix", "i'll fix", "will send", "fixed in v", "will be fixed",
        "you're right", "you are right", "agreed", "good point", "thanks, will", "makes sense",
    ]
    static let quoteThreshold = 0.6
    static let minimumQuotedWords = 3
    /// Characters of the answer read for the markers: its first paragraph, at most this.
    static let answerCharacters = 600

    /// A quoted comment and the replier's answer under it.
    public struct Answer: Sendable, Hashable {
        public var quoted: String
        public var text: String
    }

    /// Each run of once-quoted lines in `body` with the unquoted text right under it.
    public static func answers(in body: String) -> [Answer] {
        var answers: [Answer] = []
        var quoted: [Substring] = []
        var text: [Substring] = []
        var inQuote = false
        func flush() {
            let own = quoted.joined(separator: " ").trimmingCharacters(in: .whitespaces)
            let answer = text.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !own.isEmpty, !answer.isEmpty { answers.append(Answer(quoted: own, text: answer)) }
            quoted = []
            text = []
        }
        for raw in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line == "-- " { break }
            if line.hasPrefix(">") {
                if !inQuote { flush() }
                inQuote = true
                var inner = line.dropFirst()
                if inner.hasPrefix(" ") { inner = inner.dropFirst() }
                // Twice-quoted lines are the patch our reply quoted; once-quoted ones are ours.
                if !inner.hasPrefix(">"), !inner.trimmingCharacters(in: .whitespaces).isEmpty { quoted.append(inner) }
                else if inner.hasPrefix(">") { quoted = [] }
            } else {
                inQuote = false
                text.append(line)
            }
        }
        flush()
        return answers
    }

    /// Whether `answer` says the comment it is under is wrong (see the rule above).
    public static func disputes(_ answer: String) -> Bool {
        let firstParagraph = answer.components(separatedBy: "\n\n").first ?? answer
        let text = " " + String(firstParagraph.prefix(answerCharacters)).lowercased()
            .replacingOccurrences(of: "\u{2019}", with: "'")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ") + " "
        func has(_ phrase: String) -> Bool {
            var from = text.startIndex
            while let range = text.range(of: phrase, range: from..<text.endIndex) {
                let before = text[text.index(before: range.lowerBound)]
                let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
                if !(before.isLetter || before.isNumber), !(after.isLetter || after.isNumber) { return true }
                from = range.upperBound
            }
            return false
        }
        if agreement.contains(where: has) { return false }
        let words = FeedbackComparison.words(text)
        if let first = words.first, first == "no" || first == "nope" { return true }
        return disagreement.contains(where: has)
    }

    /// The findings whose comment `answer` quotes (best match first), if any.
    public static func finding(quotedBy answer: Answer, among findings: [KeptFinding]) -> KeptFinding? {
        let quoted = FeedbackComparison.words(answer.quoted)
        guard quoted.count >= minimumQuotedWords else { return nil }
        var best: (share: Double, finding: KeptFinding)?
        for finding in findings {
            let comment = FeedbackComparison.words(finding.comment)
            let share = Double(FeedbackComparison.commonSubsequence(quoted, comment)) / Double(quoted.count)
            if share >= quoteThreshold, share > (best?.share ?? 0) { best = (share, finding) }
        }
        return best?.finding
    }

    /// Every finding a reply disputes, with the answer that disputes it.
    public static func disputed(_ findings: [KeptFinding], replyBody: String) -> [(finding: KeptFinding, answer: String)] {
        var result: [(KeptFinding, String)] = []
        for answer in answers(in: replyBody) where disputes(answer.text) {
            if let finding = finding(quotedBy: answer, among: findings),
               !result.contains(where: { $0.0.fingerprint == finding.fingerprint }) {
                result.append((finding, answer.text))
            }
        }
        return result
    }
}
