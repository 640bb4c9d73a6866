import Foundation

/// Where one header field sits in the message bytes. Values are decoded only when asked
/// for, so reading a large mbox does not pay for the dozens of `Received:` and DKIM lines
/// nobody looks at.
struct HeaderField: Sendable, Hashable {
    var nameStart: Int
    var nameEnd: Int
    /// Just after the colon.
    var valueStart: Int
    /// End of the last line of the field, line terminator excluded.
    var valueEnd: Int
}

/// The header block of a message or of a MIME part.
struct HeaderBlock: Sendable, Hashable {
    var fields: [HeaderField]
    /// Where the body starts (after the blank line, or at the first line that is not a header).
    var bodyStart: Int

    /// Splits header lines between `start` and `end`, enforcing the header limits.
    /// A line that is neither a field nor a continuation ends the headers, as in git
    /// mailinfo and Python's email parser; that line is the first body line.
    static func parse(_ raw: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, limits: ParserLimits,
                      location: MessageLocation, skipEnvelopeLine: Bool) throws(MboxParserError) -> HeaderBlock {
        var fields: [HeaderField] = []
        var i = start
        var bodyStart = end
        if skipEnvelopeLine, i < end, raw[i] == UInt8(ascii: "F") || raw[i] == UInt8(ascii: ">") {
            // An mbox envelope line (`From sender date`, or `>From` from a careless writer)
            // left at the top of a single-message file.
            var p = i
            while p < end && raw[p] == UInt8(ascii: ">") { p += 1 }
            if FromLine.startsWithFrom(UnsafeBufferPointer(rebasing: raw[p..<end])) {
                i = raw.lineEnd(from: i, to: end).next
            }
        }
        while i < end {
            let (contentEnd, next) = raw.lineEnd(from: i, to: end)
            if contentEnd == i { bodyStart = next; break }
            if next - i > limits.maxLineBytes {
                throw MboxParserError(.lineTooLong, location: location,
                    reason: "header line longer than \(limits.maxLineBytes) bytes")
            }
            let c = raw[i]
            if c == 0x20 || c == 0x09 {
                // Folding: the field goes on. A continuation before any field is noise.
                if !fields.isEmpty {
                    fields[fields.count - 1].valueEnd = contentEnd
                    if contentEnd - fields[fields.count - 1].nameStart > limits.maxLineBytes {
                        throw MboxParserError(.lineTooLong, location: location,
                            reason: "header field longer than \(limits.maxLineBytes) bytes")
                    }
                }
            } else if let colon = Self.fieldNameEnd(raw, from: i, to: contentEnd) {
                var nameEnd = colon
                while nameEnd > i && (raw[nameEnd - 1] == 0x20 || raw[nameEnd - 1] == 0x09) { nameEnd -= 1 }
                fields.append(HeaderField(nameStart: i, nameEnd: nameEnd, valueStart: colon + 1, valueEnd: contentEnd))
                if fields.count > limits.maxHeaderCount {
                    throw MboxParserError(.tooManyHeaders, location: location,
                        reason: "more than \(limits.maxHeaderCount) header fields")
                }
            } else {
                bodyStart = i
                break
            }
            if next - start > limits.maxHeaderBytes {
                throw MboxParserError(.headerTooLarge, location: location,
                    reason: "header block larger than \(limits.maxHeaderBytes) bytes (postfix header_size_limit)")
            }
            i = next
        }
        return HeaderBlock(fields: fields, bodyStart: bodyStart)
    }

    /// The colon after an RFC 5322 field name (obsolete syntax allows blanks before it).
    static func fieldNameEnd(_ raw: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var i = start
        while i < end, raw[i] >= 33, raw[i] <= 126, raw[i] != UInt8(ascii: ":") { i += 1 }
        guard i > start else { return nil }
        while i < end && (raw[i] == 0x20 || raw[i] == 0x09) { i += 1 }
        return i < end && raw[i] == UInt8(ascii: ":") ? i : nil
    }

    /// First field named `name` (ASCII, lowercase), case-insensitively.
    func first(_ name: StaticString, in raw: UnsafeBufferPointer<UInt8>) -> HeaderField? {
        fields.first { raw.equalsIgnoringCase(from: $0.nameStart, to: $0.nameEnd, name) }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// End of the line starting at `start` without its LF or CRLF, and the start of the next line.
    @inline(__always)
    func lineEnd(from start: Int, to end: Int) -> (contentEnd: Int, next: Int) {
        guard let base = baseAddress, start < end,
              let hit = memchr(base + start, 0x0A, end - start) else { return (end, end) }
        let newline = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        let contentEnd = newline > start && self[newline - 1] == 0x0D ? newline - 1 : newline
        return (contentEnd, newline + 1)
    }

    /// Whether bytes `from..<to` equal the ASCII lowercase `name`, ignoring case.
    @inline(__always)
    func equalsIgnoringCase(from: Int, to: Int, _ name: StaticString) -> Bool {
        guard to - from == name.utf8CodeUnitCount else { return false }
        let n = name.utf8Start
        for k in 0..<(to - from) where self[from + k] | 0x20 != n[k] | 0x20 {
            return false
        }
        return true
    }

    /// Whether the bytes at `index` start with the ASCII `literal`.
    @inline(__always)
    func hasPrefix(_ literal: StaticString, at index: Int, end: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - index >= n, let base = baseAddress else { return false }
        return memcmp(base + index, literal.utf8Start, n) == 0
    }
}
