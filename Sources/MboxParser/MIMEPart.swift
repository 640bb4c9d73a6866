import Foundation

/// One leaf of a message's MIME tree, as `MailMessage.parts` hands it out: decoded from its
/// transfer encoding, not yet from its charset.
public struct MIMEPart: Sendable, Hashable {
    /// Lowercased `type/subtype` (`text/plain` when the part has no Content-Type).
    public var contentType: String
    /// The `charset` parameter, when there is one.
    public var charset: String?
    /// `Content-Disposition` filename, or the older `name` parameter of Content-Type.
    public var filename: String?
    /// Lowercased Content-Transfer-Encoding (`7bit` when absent).
    public var transferEncoding: String
    /// Whether Content-Disposition says `attachment`.
    public var isAttachment: Bool
    /// The content with quoted-printable or base64 undone.
    public var decodedBytes: [UInt8]

    /// The content as text, converted from `charset` (UTF-8 when there is none).
    public var text: String {
        var ignored: [String] = []
        return Charset.decode(decodedBytes, charset: charset, warnings: &ignored)
    }
}

/// Where a MIME leaf sits in the raw message, and what its headers say.
struct MIMELeaf: Sendable, Hashable {
    var contentType: ContentType
    var transferEncoding: String
    var disposition: ContentType?
    var bodyStart: Int
    var bodyEnd: Int

    var charset: String? { contentType.parameters["charset"] }
    var filename: String? { disposition?.parameters["filename"] ?? contentType.parameters["name"] }
    var isAttachment: Bool { disposition?.value == "attachment" }

    /// Walks the MIME tree under `root` with an explicit work list (the structure comes
    /// from the sender, so no recursion), returning the leaves in document order.
    /// message/rfc822 parts stay leaves: git mailinfo does not look inside them either.
    static func walk(_ raw: UnsafeBufferPointer<UInt8>, root: HeaderBlock, end: Int, limits: ParserLimits,
                     location: MessageLocation) throws(MboxParserError) -> [MIMELeaf] {
        struct Pending { var header: HeaderBlock; var end: Int; var depth: Int }
        var work = [Pending(header: root, end: end, depth: 0)]
        var leaves: [MIMELeaf] = []
        var partCount = 1
        while let entity = work.popLast() {
            let contentType = entity.header.first("content-type", in: raw).map {
                ContentType(parsing: raw.text(from: $0.valueStart, to: $0.valueEnd))
            } ?? .textPlain
            let start = min(entity.header.bodyStart, entity.end)
            if contentType.isMultipart, let boundary = contentType.parameters["boundary"], !boundary.isEmpty {
                guard entity.depth < limits.maxMIMEDepth else {
                    throw MboxParserError(.mimeTooDeep, location: location,
                        reason: "multipart nesting deeper than \(limits.maxMIMEDepth) (dovecot/postfix limit)")
                }
                let ranges = splitMultipart(raw, from: start, to: entity.end, boundary: Array(boundary.utf8))
                partCount += ranges.count
                guard partCount <= limits.maxMIMEParts else {
                    throw MboxParserError(.tooManyMIMEParts, location: location,
                        reason: "more than \(limits.maxMIMEParts) mime parts (dovecot limit)")
                }
                for range in ranges.reversed() {
                    let header = try HeaderBlock.parse(raw, from: range.lowerBound, to: range.upperBound,
                                                       limits: limits, location: location, skipEnvelopeLine: false)
                    work.append(Pending(header: header, end: range.upperBound, depth: entity.depth + 1))
                }
                continue
            }
            let encoding = entity.header.first("content-transfer-encoding", in: raw).map {
                raw.text(from: $0.valueStart, to: $0.valueEnd).trimmedWhitespace().lowercased()
            } ?? "7bit"
            let disposition = entity.header.first("content-disposition", in: raw).map {
                ContentType(parsing: raw.text(from: $0.valueStart, to: $0.valueEnd))
            }
            leaves.append(MIMELeaf(contentType: contentType, transferEncoding: encoding, disposition: disposition,
                                   bodyStart: start, bodyEnd: entity.end))
        }
        return leaves
    }

    /// The byte ranges of the parts between `--boundary` lines. The line break before a
    /// boundary line belongs to the boundary (RFC 2046); preamble and epilogue are dropped.
    /// A multipart that never closes ends at the end of its container.
    static func splitMultipart(_ raw: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                               boundary: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var partStart: Int?
        var i = start
        while i < end {
            let (contentEnd, next) = raw.lineEnd(from: i, to: end)
            let after = i + 2 + boundary.count
            if after <= contentEnd, raw[i] == UInt8(ascii: "-"), raw[i + 1] == UInt8(ascii: "-"),
               boundary.withUnsafeBufferPointer({ memcmp(raw.baseAddress! + i + 2, $0.baseAddress!, $0.count) == 0 }) {
                let closes = after + 2 <= contentEnd && raw[after] == UInt8(ascii: "-") && raw[after + 1] == UInt8(ascii: "-")
                var rest = after
                while rest < contentEnd && (raw[rest] == 0x20 || raw[rest] == 0x09) { rest += 1 }
                if closes || rest == contentEnd {
                    if let partStart {
                        var partEnd = i
                        if partEnd > partStart && raw[partEnd - 1] == 0x0A { partEnd -= 1 }
                        if partEnd > partStart && raw[partEnd - 1] == 0x0D { partEnd -= 1 }
                        ranges.append(partStart..<max(partStart, partEnd))
                    }
                    if closes { return ranges }
                    partStart = next
                }
            }
            i = next
        }
        if let partStart { ranges.append(partStart..<end) }
        return ranges
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Bytes as a String, invalid UTF-8 replaced (for structured fields, which are ASCII).
    func text(from start: Int, to end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[start..<end]), as: UTF8.self)
    }
}
