import CurlKit
import Foundation
import ReviewEngine

extension OutgoingDraft {
    /// The bytes that go out: the draft without its Bcc fields (folded lines included), so
    /// the blind copies stay blind, and with `Date:` set to `date`, the moment it is sent
    /// rather than the moment it was drafted. Everything else is untouched.
    public func messageToSend(date: Date) -> Data {
        guard let start = DraftHeaderBlock.bodyStart(original) else { return original }
        let lineEnd = original[original.startIndex..<start.header].contains(UInt8(ascii: "\r")) ? "\r\n" : "\n"
        var head = Data()
        var dropping = false
        var dated = false
        for line in DraftHeaderBlock.rawLines(original[original.startIndex..<start.header]) {
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                if !dropping { head.append(contentsOf: line) }
                continue
            }
            let name = String(decoding: line.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)
                .trimmingCharacters(in: .whitespaces).lowercased()
            dropping = name == "bcc" || name == "date"
            if name == "date", !dated {
                head.append(Data("Date: \(Self.dateHeader(date))\(lineEnd)".utf8))
                dated = true
            }
            if !dropping { head.append(contentsOf: line) }
        }
        if !dated { head.append(Data("Date: \(Self.dateHeader(date))\(lineEnd)".utf8)) }
        return head + original[start.header...]
    }

    /// RFC 5322 3.3 date-time in the local time zone, as git send-email writes it.
    static func dateHeader(_ date: Date, timeZone: TimeZone = .current) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
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
        guard !inQuote, commentDepth == 0 else {
            throw ReviewBotError("\(file): unclosed \(inQuote ? "quote" : "comment") in \(header)")
        }
        items.append(current)
        return try items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { item in
            var address = item
            if let open = item.lastIndex(of: "<") {
                guard let close = item[open...].firstIndex(of: ">") else {
                    throw ReviewBotError("\(file): unclosed < in \(header): \(TerminalText.visible(item))")
                }
                address = String(item[item.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            }
            guard MailHeaderText.isAddrSpec(address) else {
                throw ReviewBotError("\(file): not an address in \(header): \(TerminalText.visible(item))")
            }
            return address
        }
    }
}
