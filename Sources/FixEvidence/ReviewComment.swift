import Foundation
import MboxParser

/// Who wrote a comment, as far as we treat it.
public enum CommentSource: String, Sendable, Hashable, Codable {
    /// A person reviewing.
    case human
    /// An AI reviewer: a known bot address or a reply carrying an AI-review disclosure.
    case aiBot = "ai-bot"
}

/// One comment from a review reply on the list: the lines it quotes and the reviewer's
/// text under them. Quoted lines are the part of the patch (or commit message) the
/// comment is about; the text is what the reviewer asked.
public struct ReviewComment: Sendable, Hashable, Codable {
    /// `C1`, `C2`, ... within one patch's evidence, so the model and the report can name it.
    public var id: String
    public var reviewer: MailAddress
    /// The reply's Message-ID, without angle brackets.
    public var messageID: String
    public var source: CommentSource
    /// The revision of the patch the reply answers.
    public var revision: Int
    /// The file the quoted diff lines belong to; nil for the commit message or the patch
    /// as a whole.
    public var file: String?
    /// The quoted lines nearest the comment, with one level of `> ` removed (diff lines
    /// keep their `+`/`-`/` ` marker), at most `FixEvidenceLimits.quotedLinesPerComment`.
    public var quoted: [String]
    /// The reviewer's text, at most `FixEvidenceLimits.replyBytes`.
    public var text: String
    /// The reply on lore (`{lore}/r/<message-id>`), for the report and a finding quoting it.
    public var link: String

    public init(id: String = "", reviewer: MailAddress, messageID: String, source: CommentSource = .human,
                revision: Int, file: String?, quoted: [String], text: String, link: String = "") {
        self.id = id
        self.reviewer = reviewer
        self.messageID = messageID
        self.source = source
        self.revision = revision
        self.file = file
        self.quoted = quoted
        self.text = text
        self.link = link
    }

    /// `Jane Doe <jane@example.org>` or the address alone.
    public var reviewerName: String { reviewer.name.isEmpty ? reviewer.email : reviewer.name }

    /// The diff lines the comment quotes, without their markers: the code it is about.
    public var quotedCode: [String] {
        quoted.compactMap { line in
            guard let marker = line.first, marker == "+" || marker == " " || marker == "-" else { return nil }
            guard !line.hasPrefix("+++ "), !line.hasPrefix("--- ") else { return nil }
            return String(line.dropFirst())
        }
    }
}

/// A comment as a reply body yields it, before we know whose it is.
public struct QuotedReply: Sendable, Hashable {
    public var file: String?
    public var quoted: [String]
    public var text: String
}

extension QuotedReply {
    /// Every comment of a reply: each run of quoted lines (one level of `>`) followed by the
    /// reviewer's own text. Text above the first quote (a top-posted remark, a bot's
    /// summary) comes with no quoted lines. Attribution lines, `[ ... ]` cuts, the signature
    /// and everything after `-- ` are left out; so is text that says nothing a patch could
    /// answer (trailers, thanks, "looks good").
    public static func all(in body: String) -> [QuotedReply] {
        var results: [QuotedReply] = []
        var quote: [String] = []
        var quoteFile: String?
        var reply: [String] = []
        var file: String?
        var inDiff = false

        func flush() {
            let text = reply.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if isSubstantive(text) {
                let hasDiffLines = quote.contains { $0.hasPrefix("+") || $0.hasPrefix("-") || $0.hasPrefix("@@") }
                results.append(QuotedReply(file: hasDiffLines ? quoteFile : nil,
                                           quoted: Array(quote.suffix(FixEvidenceLimits.quotedLinesPerComment)),
                                           text: bounded(text)))
            }
            quote = []
            reply = []
        }

        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for (number, rawLine) in lines.enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line == "-- " { break }
            if line.hasPrefix(">") {
                if !reply.isEmpty { flush() }
                var text = line.dropFirst()
                if text.hasPrefix(" ") { text = text.dropFirst() }
                // Deeper quotes are older discussion, not what this reply answers.
                if text.hasPrefix(">") { continue }
                if text.hasPrefix("diff --git ") {
                    file = text.range(of: " b/").map { String(text[$0.upperBound...]) }
                    inDiff = true
                } else if text.hasPrefix("+++ b/") {
                    file = String(text.dropFirst(6))
                    inDiff = true
                }
                if inDiff { quoteFile = file }
                quote.append(String(text))
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if isCut(trimmed) {
                if !reply.isEmpty { flush() }
                quote = []
                continue
            }
            if trimmed.isEmpty {
                if !reply.isEmpty { reply.append("") }
                continue
            }
            if reply.isEmpty, isAttribution(trimmed, next: number + 1 < lines.count ? lines[number + 1] : nil) {
                continue
            }
            reply.append(String(line))
        }
        flush()
        return results
    }

    /// `[ ... ]`, `[...]`, `<snip>`: the reviewer cut quoted text here.
    static func isCut(_ line: String) -> Bool {
        ["[ ... ]", "[...]", "[ .. ]", "...", "<snip>", "[snip]", "<...>"].contains(line)
    }

    /// `On Mon, 1 Jan 2024, Jane Doe wrote:` and the like, just above a quote.
    static func isAttribution(_ line: String, next: Substring?) -> Bool {
        guard line.count < 200 else { return false }
        let lower = line.lowercased()
        if lower.hasSuffix("wrote:") || lower.hasSuffix("writes:") || lower.hasSuffix("a écrit :") { return true }
        // Some clients wrap the attribution: `On Mon, Jane Doe` / `<jane@x> wrote:`.
        if lower.hasPrefix("on "), let next, next.lowercased().hasSuffix("wrote:") { return true }
        return false
    }

    /// Whether a reply says something a new revision could answer: at least four words
    /// once trailers, greetings and sign-offs are taken out, or a question.
    static func isSubstantive(_ text: String) -> Bool {
        let closing: Set<String> = ["thanks", "thanks!", "thanks,", "thank you", "thank you,", "regards", "regards,",
                                    "best regards", "best regards,", "cheers", "cheers,", "br", "br,", "hi", "hi,",
                                    "hello", "hello,", "lgtm", "lgtm.", "lgtm!", "ack", "ack.", "nice", "nice."]
        var words = 0
        var question = false
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || closing.contains(line.lowercased()) || isTrailerLine(line) { continue }
            words += line.split(separator: " ").count
            if line.contains("?") { question = true }
        }
        return words >= 4 || (question && words >= 2)
    }

    /// `Reviewed-by: Jane <jane@x>`, `Fixes: ...`, `Link: ...`: a trailer, not a comment.
    static func isTrailerLine(_ line: String) -> Bool {
        guard let colon = line.firstIndex(of: ":"), colon > line.startIndex else { return false }
        let name = line[..<colon]
        guard name.count <= 40, name.allSatisfy({ $0.isLetter || $0 == "-" }), name.contains("-") || name == "Fixes"
                || name == "Link" || name == "Closes" else { return false }
        let value = line[line.index(after: colon)...]
        return value.contains("@") || name == "Fixes" || name == "Link" || name == "Closes"
    }

    static func bounded(_ text: String) -> String {
        guard text.utf8.count > FixEvidenceLimits.replyBytes else { return text }
        return String(decoding: text.utf8.prefix(FixEvidenceLimits.replyBytes), as: UTF8.self) + " [cut]"
    }
}
