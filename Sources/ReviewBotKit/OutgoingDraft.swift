import Foundation
import MailSources

/// A drafted reply as `reviewbot send` reads it from DIR: the envelope comes from its own
/// headers (From; To, Cc and Bcc), never from anything in the body.
public struct OutgoingDraft: Sendable {
    /// The file name inside DIR (`0001.eml`).
    public var file: String
    /// The file as written, byte for byte.
    public var original: Data
    /// Unfolded header fields in order.
    public var headers: [(name: String, value: String)]
    /// MAIL FROM: the address in From.
    public var sender: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    /// With angle brackets, as in the header.
    public var messageID: String

    /// Longest header block read: a draft is small, and a file with no blank line must not
    /// be scanned as one endless header. Same as postfix's header_size_limit.
    static let maxHeaderBytes = 102_400
    /// Most recipients in one draft: RFC 5321 4.5.3.1.8 makes 100 the least a server must take.
    static let maxRecipients = 100

    /// RCPT TO: To, Cc and Bcc, each address once, in that order.
    public var recipients: [String] {
        var seen = Set<String>()
        return (to + cc + bcc).filter { seen.insert($0.lowercased()).inserted }
    }

    public var subject: String { header("Subject") ?? "" }

    /// The first value of `name` (case-insensitive), unfolded.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Reads a draft; errors name the file and the header at fault.
    public init(file: String, bytes: Data) throws {
        self.file = file
        original = bytes
        let head = bytes[..<(Self.bodyStart(bytes)?.header ?? bytes.endIndex)]
        guard head.count <= Self.maxHeaderBytes else {
            throw ReviewBotError("\(file): header block larger than \(Self.maxHeaderBytes) bytes")
        }
        let fields = Self.unfold(head)
        func matching(_ name: String) -> [String] {
            fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
        func list(_ name: String) throws -> [String] {
            try matching(name).flatMap { try AddressList.addresses(in: $0, header: name, file: file) }
        }
        guard let from = matching("From").first else { throw ReviewBotError("\(file): no From header, so there is no sender") }
        let senders = try AddressList.addresses(in: from, header: "From", file: file)
        guard senders.count == 1 else { throw ReviewBotError("\(file): From must hold exactly one address") }
        let (to, cc, bcc) = (try list("To"), try list("Cc"), try list("Bcc"))
        guard let id = matching("Message-ID").first, !MessageID.bare(id).isEmpty else {
            throw ReviewBotError("\(file): no Message-ID header, so a second send could not be recognised")
        }
        guard !(to + cc + bcc).isEmpty else { throw ReviewBotError("\(file): no recipients in To, Cc or Bcc") }
        headers = fields
        sender = senders[0]
        (self.to, self.cc, self.bcc) = (to, cc, bcc)
        messageID = "<\(MessageID.bare(id))>"
        guard recipients.count <= Self.maxRecipients else {
            throw ReviewBotError("\(file): \(recipients.count) recipients, more than \(Self.maxRecipients)")
        }
    }

    /// The bytes that go out: the draft without its Bcc fields (folded lines included), so
    /// the blind copies stay blind. Everything else is untouched.
    public var messageToSend: Data {
        guard let start = Self.bodyStart(original) else { return Self.strippingBcc(original[...]) }
        return Self.strippingBcc(original[..<start.header]) + original[start.header...]
    }

    /// The first `count` lines of the body, for the confirmation screen.
    public func bodyPreview(lines count: Int) -> [String] {
        guard let start = Self.bodyStart(original) else { return [] }
        let body = String(decoding: original[start.body...], as: UTF8.self)
        // isNewline, not "\n": "\r\n" is a single Character in Swift.
        var lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the piece after the final newline
        return lines.prefix(count).map(String.init)
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

    /// Header lines with their line endings, as raw slices.
    private static func lines(_ head: Data.SubSequence) -> [Data.SubSequence] {
        var out: [Data.SubSequence] = []
        var start = head.startIndex
        for index in head.indices where head[index] == UInt8(ascii: "\n") {
            out.append(head[start...index])
            start = index + 1
        }
        if start < head.endIndex { out.append(head[start...]) }
        return out
    }

    private static func isContinuation(_ line: Data.SubSequence) -> Bool {
        line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t")
    }

    static func unfold(_ head: Data.SubSequence) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for raw in lines(head) {
            let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .newlines)
            if isContinuation(raw), !fields.isEmpty {
                fields[fields.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
            } else if let colon = text.firstIndex(of: ":") {
                fields.append((String(text[..<colon]).trimmingCharacters(in: .whitespaces),
                               text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return fields
    }

    static func strippingBcc(_ head: Data.SubSequence) -> Data {
        var out = Data()
        var dropping = false
        for line in lines(head) {
            if isContinuation(line) {
                if !dropping { out.append(contentsOf: line) }
                continue
            }
            let name = String(decoding: line.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)
            dropping = name.trimmingCharacters(in: .whitespaces).lowercased() == "bcc"
            if !dropping { out.append(contentsOf: line) }
        }
        return out
    }
}

/// RFC 5322 address lists, reduced to the addr-specs an SMTP envelope needs.
enum AddressList {
    /// `"Doe, Jane" <jane@example.org>, bob@example.org (Bob), list: a@b, c@d;` ->
    /// `["jane@example.org", "bob@example.org", "a@b", "c@d"]`.
    static func addresses(in value: String, header: String, file: String) throws -> [String] {
        var items: [String] = []
        var current = ""
        var inQuote = false, escaped = false, inAngle = false, commentDepth = 0
        for c in value {
            if escaped { current.append(c); escaped = false; continue }
            if inQuote {
                if c == "\\" { escaped = true } else if c == "\"" { inQuote = false }
                current.append(c)
                continue
            }
            if commentDepth > 0 {
                if c == "(" { commentDepth += 1 } else if c == ")" { commentDepth -= 1 } else if c == "\\" { escaped = true }
                continue
            }
            switch c {
            case "\"": inQuote = true; current.append(c)
            case "(": commentDepth = 1
            case "<": inAngle = true; current.append(c)
            case ">": inAngle = false; current.append(c)
            // A group's name ends at `:` and the group at `;`: both end an item outside <>.
            case ":" where !inAngle: current = ""
            case ",", ";": if !inAngle { items.append(current); current = "" } else { current.append(c) }
            default: current.append(c)
            }
        }
        items.append(current)
        return try items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { item in
            var address = item
            if let open = item.lastIndex(of: "<") {
                guard let close = item[open...].firstIndex(of: ">") else {
                    throw ReviewBotError("\(file): unclosed < in \(header): \(item)")
                }
                address = String(item[item.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            }
            guard isAddrSpec(address) else { throw ReviewBotError("\(file): not an address in \(header): \(item)") }
            return address
        }
    }

    /// local@domain, printable, no spaces or brackets: safe to put between < > in the envelope.
    static func isAddrSpec(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@"), at != text.startIndex, text.index(after: at) != text.endIndex else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7f && !"<>,;()".unicodeScalars.contains($0) }
    }
}
