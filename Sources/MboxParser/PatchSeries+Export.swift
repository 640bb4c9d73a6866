import Foundation

extension PatchSeries {
    /// A git-am-ready mbox, like `b4 am`'s .mbx: one message per patch present, in order,
    /// each with the collected trailers appended to its commit message's trailer block.
    /// Separators are git format-patch's (`From <zero sha> Mon Sep 17 00:00:00 2001`, mboxo:
    /// body lines are not escaped, as git mailsplit expects).
    public var gitAmMbox: String {
        patches.map(gitAmMessage).joined()
    }

    static let separator = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"

    /// One patch as an mbox message for git am: `[PATCH RFC vN i/N] title` as b4 writes it.
    public func gitAmMessage(_ patch: SeriesPatch) -> String {
        var tags = ["PATCH"]
        if isRFC { tags.append("RFC") }
        if revision > 1 { tags.append("v\(revision)") }
        if total > 1 || patch.subject.index != nil { tags.append("\(patch.index)/\(total)") }

        let message = patch.message
        var text = Self.separator
        if let author = message.author {
            let name = author.name.isEmpty ? "" : SeriesPatch.headerSafe(author.name) + " "
            text += "From: \(name)<\(author.email)>\n"
        }
        if let date = message.dateHeader ?? message.date.map(SeriesPatch.rfc3339) { text += "Date: \(date)\n" }
        text += "Subject: " + SeriesPatch.headerSafe("[\(tags.joined(separator: " "))] \(patch.subject.title)") + "\n"
        if let id = message.messageID { text += "Message-Id: <\(id)>\n" }
        text += "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
        var body = SeriesPatch.body(message.bodyText, adding: patch.collectedTrailers)
        if !body.hasSuffix("\n") { body += "\n" }
        return text + body + "\n"
    }
}

extension SeriesPatch {
    /// The body with `extra` trailers placed after the commit message's last trailer (or as a
    /// new paragraph when it has none), where `b4 am` puts them.
    static func body(_ text: String, adding extra: [Trailer]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !extra.isEmpty else { return text }
        let cut = lines.indices.first { at in
            let line = lines[at]
            if line.trimmedWhitespace() == "---" || line.hasPrefix("diff --git ") || line.hasPrefix("Index: ") {
                return true
            }
            return line.hasPrefix("--- ") && at + 1 < lines.count && lines[at + 1].hasPrefix("+++ ")
        } ?? lines.count
        guard let last = lines[..<cut].lastIndex(where: { !$0.trimmedWhitespace().isEmpty }) else {
            return extra.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n" + text
        }
        var insert = extra.map { "\($0.name): \($0.value)" }
        if Trailer.splitTrailerLine(lines[last]) == nil { insert.insert("", at: 0) }
        lines.insert(contentsOf: insert, at: last + 1)
        return lines.joined(separator: "\n")
    }

    /// RFC 2047 (B, UTF-8) when the header text is not ASCII.
    static func headerSafe(_ value: String) -> String {
        guard !value.allSatisfy(\.isASCII) else { return value }
        return "=?UTF-8?B?" + Data(value.utf8).base64EncodedString() + "?="
    }
}
