import CurlKit
import Foundation
import MboxParser
import ReviewEngine

/// The header block of a draft, read strictly. A draft is about to go out in the
/// maintainer's name, so anything a mail program might read differently from us is
/// refused, never repaired: a control character (a bare CR, NUL, ESC) in a header line, a
/// line that is neither a field nor a continuation (which would end the header block early
/// for some readers and not for others), a line over RFC 5322's 998 octets, or a second
/// copy of a field that may appear once (a second To or Message-ID: which one counts?).
struct DraftHeaderBlock {
    /// Unfolded fields in order.
    var fields: [(name: String, value: String)]
    /// Where the blank line after the headers starts, and where the body starts.
    var headerEnd: Data.Index
    var bodyStart: Data.Index

    /// RFC 5322 3.6: the fields that may appear at most once in a message.
    static let singleFields: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "message-id", "in-reply-to", "references", "subject", "date",
    ]
    /// RFC 5322 2.1.1: a line MUST NOT be longer than 998 characters, CRLF excluded.
    static let maxLineBytes = 998

    init(_ data: Data, file: String) throws {
        guard let (headerEnd, bodyStart) = Self.bodyStart(data) else {
            throw ReviewBotError("\(file): no blank line after the headers, so no body; is it a draft?")
        }
        guard headerEnd - data.startIndex <= OutgoingDraft.maxHeaderBytes else {
            throw ReviewBotError("\(file): header block larger than \(OutgoingDraft.maxHeaderBytes) bytes")
        }
        self.headerEnd = headerEnd
        self.bodyStart = bodyStart
        var fields: [(name: String, value: String)] = []
        var seen: Set<String> = []
        for (number, line) in Self.lines(data[data.startIndex..<headerEnd]).enumerated() {
            let where_ = "\(file): header line \(number + 1)"
            guard line.count <= Self.maxLineBytes else {
                throw ReviewBotError("\(where_) is longer than \(Self.maxLineBytes) bytes (RFC 5322); fold it")
            }
            if let bad = line.first(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
                throw ReviewBotError("\(where_) holds the control character \(TerminalText.visible(String(Unicode.Scalar(bad)))); remove it")
            }
            guard let text = String(data: line, encoding: .utf8) else {
                throw ReviewBotError("\(where_) is not valid UTF-8")
            }
            if let bad = text.unicodeScalars.first(where: { $0 != "\t" && MailHeaderText.isControl($0) }) {
                throw ReviewBotError("\(where_) holds the control character \(TerminalText.visible(String(bad))); remove it")
            }
            if line.first == 0x20 || line.first == 0x09 {
                guard !fields.isEmpty else {
                    throw ReviewBotError("\(where_) is a continuation line with no header field above it")
                }
                fields[fields.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = text.firstIndex(of: ":"),
                  case let name = text[..<colon].trimmingCharacters(in: .whitespaces), !name.isEmpty,
                  name.unicodeScalars.allSatisfy({ $0.value >= 33 && $0.value <= 126 }),
                  !text[..<colon].hasPrefix(" ") else {
                throw ReviewBotError("\(where_) is not a header field ('\(TerminalText.visible(String(text.prefix(60))))'): a mail program may end the headers there")
            }
            let lower = name.lowercased()
            if Self.singleFields.contains(lower), !seen.insert(lower).inserted {
                throw ReviewBotError("\(file): two \(name) headers; a draft may have only one")
            }
            fields.append((name, text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        self.fields = fields
    }

    /// Where the blank line after the headers starts, and where the body starts.
    static func bodyStart(_ data: Data) -> (header: Data.Index, body: Data.Index)? {
        var index = data.startIndex
        var lineStart = true
        while index < data.endIndex {
            if lineStart {
                if data[index] == UInt8(ascii: "\n") { return (index, index + 1) }
                if data[index] == UInt8(ascii: "\r"), index + 1 < data.endIndex, data[index + 1] == UInt8(ascii: "\n") {
                    return (index, index + 2)
                }
            }
            lineStart = data[index] == UInt8(ascii: "\n")
            index += 1
        }
        return nil
    }

    /// Header lines without their line ends (LF or CRLF). A CR anywhere else stays in the
    /// line, where the control-character check finds it.
    static func lines(_ head: Data.SubSequence) -> [Data.SubSequence] {
        var out: [Data.SubSequence] = []
        var start = head.startIndex
        for index in head.indices where head[index] == UInt8(ascii: "\n") {
            var end = index
            if end > start, head[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            out.append(head[start..<end])
            start = index + 1
        }
        if start < head.endIndex { out.append(head[start...]) }
        return out
    }

    /// Raw header lines with their line ends, for rewriting the block byte for byte.
    static func rawLines(_ head: Data.SubSequence) -> [Data.SubSequence] {
        var out: [Data.SubSequence] = []
        var start = head.startIndex
        for index in head.indices where head[index] == UInt8(ascii: "\n") {
            out.append(head[start...index])
            start = index + 1
        }
        if start < head.endIndex { out.append(head[start...]) }
        return out
    }
}
