import Foundation

// TEMPORARY SCAFFOLDING -- delete when the real mail reader (`MailMessage`, MIME decoding)
// and `PatchParser` are merged. It exists only so series assembly can be tested against
// the fixtures and `reviewbot series` can run before then; its only callers are
// Tests/MboxParserTests and ReviewBotKit/SeriesReport.swift (marked "LEAD: switch reader").
// `package` access keeps it out of the public API. It is deliberately minimal: no
// mboxcl, lenient RFC 2047, first-match MIME walk, hunk counting only as far as assembly
// needs it. Not product code: do not extend it, replace it.

/// Reads mbox / single-mail files into `SeriesMessage` values (scaffolding, see above).
package enum TestThreadReader {
    package static func read(file: URL) throws -> [SeriesMessage] {
        let data = try Data(contentsOf: file)
        return read(data: data, name: file.path)
    }

    package static func read(data: Data, name: String) -> [SeriesMessage] {
        // Latin-1 keeps every byte; each part is re-decoded once its charset is known.
        let text = (String(data: data, encoding: .isoLatin1) ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let dates = DateFormatter()
        dates.locale = Locale(identifier: "en_US_POSIX")
        return split(text).enumerated().map { number, raw in
            message(from: raw, location: MessageLocation(file: name, number: number + 1), dates: dates)
        }
    }

    /// Splits on `From ` separator lines (after a blank line, looking like a separator); a
    /// file not starting with one is a single mail. mboxrd escaping is undone one level.
    static func split(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix("From ") else { return [text] }
        let mboxrd = first.hasPrefix("From mboxrd@z")
        var messages: [String] = []
        var current: [Substring] = []
        var previousBlank = true
        for line in lines {
            if line.hasPrefix("From "), previousBlank, isSeparator(line) {
                if !current.isEmpty { messages.append(current.joined(separator: "\n")) }
                current = []
                previousBlank = false
                continue
            }
            if mboxrd, line.hasPrefix(">"), line.drop(while: { $0 == ">" }).hasPrefix("From ") {
                current.append(line.dropFirst())
            } else {
                current.append(line)
            }
            previousBlank = line.isEmpty
        }
        if !current.isEmpty { messages.append(current.joined(separator: "\n")) }
        return messages
    }

    private static func isSeparator(_ line: Substring) -> Bool {
        let words = line.split(separator: " ")
        if words.count <= 2 { return true } // `From nobody`
        let hasTime = words.contains { $0.count == 8 && $0.filter { $0 == ":" }.count == 2 }
        let hasYear = words.contains { $0.count == 4 && $0.allSatisfy(\.isASCIIDigitCharacter) }
        return hasTime && hasYear
    }

    // MARK: - One message

    static func message(from raw: String, location: MessageLocation, dates: DateFormatter) -> SeriesMessage {
        let (headers, body) = splitHeaders(raw)
        func all(_ name: String) -> [String] { headers.filter { $0.0 == name }.map(\.1) }
        func first(_ name: String) -> String? { all(name).first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }
        let bodyText = decodeBody(headers: headers, body: body)
        let dateHeader = first("date")
        var patch: Patch?
        if SeriesMessage.textHasDiff(bodyText) { patch = minimalPatch(bodyText) }
        return SeriesMessage(
            messageID: first("message-id").flatMap { ids(in: $0).first },
            inReplyTo: first("in-reply-to").flatMap { ids(in: $0).first },
            references: all("references").flatMap { ids(in: $0) },
            subject: decodeWords(raw8bit(first("subject") ?? "")),
            from: first("from").map { address(decodeWords(raw8bit($0))) },
            originalFrom: first("x-original-from").map { address(decodeWords(raw8bit($0))) },
            date: dateHeader.flatMap { parseDate($0, with: dates) }, dateHeader: dateHeader,
            bodyText: bodyText, patch: patch, location: location)
    }

    /// Header fields (lowercased names, unfolded values) and the body.
    static func splitHeaders(_ raw: String) -> ([(String, String)], String) {
        var headers: [(String, String)] = []
        let end = raw.range(of: "\n\n")
        let head = end.map { raw[..<$0.lowerBound] } ?? raw[...]
        let body = end.map { String(raw[$0.upperBound...]) } ?? ""
        for line in head.split(separator: "\n") {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((line[..<colon].lowercased().trimmingCharacters(in: .whitespaces),
                                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers, body)
    }

    static func ids(in value: String) -> [String] {
        var found: [String] = []
        var rest = value[...]
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close]
            if !id.isEmpty { found.append(String(id)) }
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    static func address(_ value: String) -> MailAddress {
        if let parsed = MailAddress.parseTrailerPerson(value) { return parsed }
        let email = value.split(separator: " ").first { $0.contains("@") }.map(String.init) ?? value
        return MailAddress(name: "", email: email)
    }

    static func parseDate(_ value: String, with formatter: DateFormatter) -> Date? {
        var text = value
        if let paren = text.firstIndex(of: "(") { text = String(text[..<paren]) }
        text = text.split(separator: " ").joined(separator: " ")
        for format in ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    // MARK: - MIME, just enough

    /// b4's choice: the first text/plain or x-patch part; a later one holding a diff wins.
    static func decodeBody(headers: [(String, String)], body: String) -> String {
        var chosen: String?
        var work: [([(String, String)], String)] = [(headers, body)]
        while !work.isEmpty {
            let (partHeaders, partBody) = work.removeFirst()
            let type = partHeaders.first { $0.0 == "content-type" }?.1 ?? "text/plain"
            let lower = type.lowercased()
            if lower.hasPrefix("multipart/"), let boundary = parameter("boundary", in: type) {
                let parts = partBody.components(separatedBy: "--" + boundary)
                work.insert(contentsOf: parts.dropFirst().filter { !$0.hasPrefix("--") }.map { part in
                    splitHeaders(String(part.drop(while: { $0 == "\n" || $0 == " " })))
                }, at: 0)
                continue
            }
            guard lower.hasPrefix("text/plain") || lower.contains("/x-patch") || lower.hasPrefix("text/x-diff") else { continue }
            let encoding = (partHeaders.first { $0.0 == "content-transfer-encoding" }?.1 ?? "").lowercased()
            let text = decode(transfer(partBody, encoding: encoding), charset: parameter("charset", in: type))
            if chosen == nil || SeriesMessage.textHasDiff(text) { chosen = text }
        }
        return chosen ?? ""
    }

    static func parameter(_ name: String, in value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
        }
        return nil
    }

    static func transfer(_ body: String, encoding: String) -> [UInt8] {
        switch encoding {
        case "base64":
            return Data(base64Encoded: body.filter { !$0.isWhitespace }).map { [UInt8]($0) } ?? latin1Bytes(body)
        case "quoted-printable":
            return quotedPrintable(latin1Bytes(body), underscoreIsSpace: false, softBreaks: true)
        default:
            return latin1Bytes(body)
        }
    }

    static func latin1Bytes(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }

    /// Raw 8-bit header bytes are usually UTF-8; fall back to Latin-1.
    static func raw8bit(_ value: String) -> String {
        let bytes = latin1Bytes(value)
        return String(validating: bytes, as: UTF8.self) ?? value
    }

    static func quotedPrintable(_ bytes: [UInt8], underscoreIsSpace: Bool, softBreaks: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while at < bytes.count {
            let byte = bytes[at]
            if byte == 61 { // '='
                if softBreaks, at + 1 < bytes.count, bytes[at + 1] == 10 { at += 2; continue }
                if at + 2 < bytes.count, let high = hex(bytes[at + 1]), let low = hex(bytes[at + 2]) {
                    out.append(high << 4 | low)
                    at += 3
                    continue
                }
            }
            out.append(underscoreIsSpace && byte == 95 ? 32 : byte)
            at += 1
        }
        return out
    }

    static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let lower = charset?.lowercased() ?? "utf-8"
        var text = String(decoding: bytes, as: UTF8.self)
        if lower.contains("8859") || lower.contains("1252") || lower == "latin1" {
            text = String(data: Data(bytes), encoding: .isoLatin1) ?? text
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// RFC 2047 encoded-words (B and Q); whitespace between adjacent words dropped.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = ""
        var rest = value[...]
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let inner = rest[start.upperBound...]
            let fields = inner.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[1].count == 1, let end = fields[2].range(of: "?=") else { break }
            let before = rest[..<start.lowerBound]
            if !(lastWasWord && before.allSatisfy(\.isWhitespace)) { out += before }
            let payload = fields[2][..<end.lowerBound]
            let bytes: [UInt8] = fields[1].lowercased() == "b"
                ? Data(base64Encoded: String(payload)).map { [UInt8]($0) } ?? Array(payload.utf8)
                : quotedPrintable(Array(payload.utf8), underscoreIsSpace: true, softBreaks: false)
            out += decode(bytes, charset: String(fields[0]))
            rest = fields[2][end.upperBound...]
            lastWasWord = true
        }
        return out + rest
    }

    // MARK: - Just enough of a patch

    static func minimalPatch(_ body: String) -> Patch {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        var start = 0
        var inBodyFrom: MailAddress?, inBodySubject: String?
        while start < lines.count, let (name, value) = Trailer.splitTrailerLine(String(lines[start])),
              ["from", "subject", "date"].contains(name.lowercased()) {
            if name.lowercased() == "from" { inBodyFrom = address(value) }
            if name.lowercased() == "subject" { inBodySubject = value }
            start += 1
        }
        let messageEnd = lines[start...].firstIndex { $0 == "---" || $0.hasPrefix("diff --git ") } ?? lines.count
        let commitMessage = lines[start..<messageEnd].joined(separator: "\n").trimmingCharacters(in: .newlines)
        return Patch(inBodyFrom: inBodyFrom, inBodySubject: inBodySubject, commitMessage: commitMessage,
                     trailers: Trailer.fromCommitMessage(commitMessage), files: files(in: lines[start...]))
    }

    static func files(in lines: ArraySlice<Substring>) -> [FileDiff] {
        var files: [FileDiff] = []
        var oldLeft = 0, newLeft = 0
        var previous: Substring = ""
        for line in lines {
            defer { previous = line }
            if oldLeft > 0 || newLeft > 0, !files.isEmpty, !files[files.count - 1].hunks.isEmpty {
                var kind: DiffLine.Kind = .context
                switch line.first {
                case "+": kind = .added; newLeft -= 1
                case "-": kind = .removed; oldLeft -= 1
                case "\\": kind = .noNewlineMarker
                default: oldLeft -= 1; newLeft -= 1
                }
                let last = files[files.count - 1].hunks.count - 1
                files[files.count - 1].hunks[last].lines.append(DiffLine(kind: kind, text: String(line.dropFirst())))
                continue
            }
            if line.hasPrefix("diff --git ") {
                let words = line.split(separator: " ")
                files.append(FileDiff(oldPath: words.count > 2 ? String(words[2].dropFirst(2)) : nil,
                                      newPath: words.count > 3 ? String(words[3].dropFirst(2)) : nil, status: .modified))
            } else if line.hasPrefix("+++ "), previous.hasPrefix("--- "),
                      files.last.map({ !$0.hunks.isEmpty }) ?? true {
                files.append(FileDiff(oldPath: String(previous.dropFirst(4)), newPath: String(line.dropFirst(4)), status: .modified))
            } else if line.hasPrefix("new file mode"), !files.isEmpty {
                files[files.count - 1].status = .added
            } else if line.hasPrefix("deleted file mode"), !files.isEmpty {
                files[files.count - 1].status = .deleted
            } else if line.hasPrefix("rename from"), !files.isEmpty {
                files[files.count - 1].status = .renamed
            } else if (line.hasPrefix("GIT binary patch") || line.hasPrefix("Binary files")), !files.isEmpty {
                files[files.count - 1].isBinary = true
            } else if line.hasPrefix("@@ -"), !files.isEmpty {
                let ranges = line.split(separator: " ").dropFirst().prefix(2).map { range -> Int in
                    let parts = range.dropFirst().split(separator: ",")
                    return parts.count > 1 ? Int(parts[1]) ?? 1 : 1
                }
                guard ranges.count == 2 else { continue }
                (oldLeft, newLeft) = (ranges[0], ranges[1])
                files[files.count - 1].hunks.append(Hunk(oldStart: 0, oldCount: oldLeft, newStart: 0, newCount: newLeft))
            }
        }
        return files
    }
}
