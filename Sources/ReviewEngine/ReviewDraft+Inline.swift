import Foundation
import MboxParser

extension ReviewDraft {
    /// Lines of context quoted above the line a comment is about.
    static let contextLines = 3
    /// Gaps of at most this many lines are quoted rather than cut.
    static let smallestCut = 2

    /// Quotes only what the comments need: the file headers of commented files, the hunk
    /// header, a few lines above each commented line, `[ ... ]` at every cut, and nothing
    /// after the last comment.
    static func quoteReview(_ input: ReviewDraftInput) -> (text: String, unplaced: [DraftComment]) {
        let text = PatchText(body: input.body, patch: input.patch)
        var out: [String] = []
        var unplaced: [DraftComment] = []
        func comment(_ c: DraftComment) {
            out.append("")
            out.append(TextWrapping.wrap(c.text))
            out.append("")
        }

        // Commit-message comments first, under the line they quote.
        var placedDiff: [(line: Int, file: Int, hunk: Int, comment: DraftComment)] = []
        var lastQuoted = -1
        for c in input.comments {
            switch c.anchor {
            case .commitMessage(let anchor):
                let wanted = anchor.trimmingCharacters(in: .whitespaces)
                guard let i = text.commitMessageLines.first(where: {
                    text.lines[$0].trimmingCharacters(in: .whitespaces) == wanted && !wanted.isEmpty
                }) else {
                    unplaced.append(c)
                    continue
                }
                if lastQuoted >= 0, i > lastQuoted + 1 { out.append("[ ... ]") }
                let from = max(text.commitMessageLines.lowerBound, lastQuoted + 1, i - contextLines)
                for k in from...max(from, i) where k > lastQuoted { out.append(quote(text.lines[k])) }
                lastQuoted = max(lastQuoted, i)
                comment(c)
            case .diff(let f, let h, let l):
                guard let i = text.lineIndex(file: f, hunk: h, line: l) else {
                    unplaced.append(c)
                    continue
                }
                placedDiff.append((i, f, h, c))
            }
        }
        if !out.isEmpty, !placedDiff.isEmpty { out.append("[ ... ]") }

        placedDiff.sort { $0.line < $1.line }
        var quotedFile: Int?
        var quotedUpTo = -1
        for item in placedDiff {
            guard let span = text.files[item.file] else { continue }
            let hunkHeader = span.hunkHeaders[item.hunk]
            if quotedFile != item.file {
                if quotedFile != nil { out.append("[ ... ]") }
                out += span.headerLines.map { quote(text.lines[$0]) }
                quotedFile = item.file
                quotedUpTo = span.headerLines.last ?? -1
            }
            var from = max(item.line - contextLines, hunkHeader + 1)
            if hunkHeader > quotedUpTo {
                if quotedUpTo >= 0, out.last != "[ ... ]", hunkHeader > quotedUpTo + 1,
                   !span.headerLines.contains(quotedUpTo) {
                    out.append("[ ... ]")
                }
                out.append(quote(text.lines[hunkHeader]))
                quotedUpTo = hunkHeader
            }
            from = max(from, quotedUpTo + 1)
            // A cut of a line or two saves nothing and reads worse than the lines.
            if from - (quotedUpTo + 1) <= Self.smallestCut { from = quotedUpTo + 1 }
            if from > quotedUpTo + 1, item.line > quotedUpTo { out.append("[ ... ]") }
            if item.line > quotedUpTo {
                for k in from...item.line { out.append(quote(text.lines[k])) }
                quotedUpTo = item.line
            }
            comment(item.comment)
        }
        while out.last == "" { out.removeLast() }
        return (out.joined(separator: "\n"), unplaced)
    }

    static func quote(_ line: Substring) -> String {
        line.isEmpty ? ">" : "> " + line
    }

    /// At most three sentences: what the patch touches and what the review found.
    static func summarize(_ input: ReviewDraftInput) -> String {
        let files = input.patch.files.count
        let added = input.patch.files.reduce(0) { $0 + $1.added }
        let removed = input.patch.files.reduce(0) { $0 + $1.removed }
        var bySeverity: [String: Int] = [:]
        for c in input.comments { bySeverity[c.severity, default: 0] += 1 }
        let counts = ["high", "medium", "low"].compactMap { s in bySeverity[s].map { "\($0) \(s)" } }
        let n = input.comments.count
        return "The patch changes \(files) file\(files == 1 ? "" : "s") (+\(added)/-\(removed)). "
            + "The review raises \(n) question\(n == 1 ? "" : "s")"
            + (counts.isEmpty ? "." : " (\(counts.joined(separator: ", "))).")
    }

    /// review-inline.txt in the format of review-format.md.
    static func renderInline(_ input: ReviewDraftInput, quoted: String, summary: String,
                             unplaced: [DraftComment]) -> String {
        let author = input.mail.author
        let name = MailHeaderText.singleLine(author.name), email = MailHeaderText.singleLine(author.email)
        var out = [
            "commit \(input.commit ?? "(not yet applied)")",
            "Author: " + (name.isEmpty ? "<\(email)>" : "\(name) <\(email)>"),
            "",
            MailHeaderText.singleLine(input.title),
            "",
            TextWrapping.wrap(summary),
            "",
        ]
        // Without a Message-ID there is nothing to link to.
        if MailHeaderText.isMessageID(input.mail.messageID) {
            out += ["Link: https://lore.kernel.org/r/\(input.mail.messageID)", ""]
        }
        for c in unplaced {
            out.append(TextWrapping.wrap(c.text))
            out.append("")
        }
        out.append(quoted)
        return out.joined(separator: "\n") + "\n"
    }
}
