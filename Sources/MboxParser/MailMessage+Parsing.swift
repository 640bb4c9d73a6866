import Foundation

/// One mail as sent: its raw bytes, its header fields and its MIME structure. Header values,
/// bodies and charsets are decoded when asked for (`subject`, `bodyText`, `parts`, ...), so
/// building a `MailMessage` only costs a pass over the header lines and MIME boundaries.
public struct MailMessage: Sendable {
    public let location: MessageLocation
    /// The message bytes exactly as read (see `RawMessage.bytes`).
    public let raw: [UInt8]
    let header: HeaderBlock
    /// The leaves of the MIME tree in document order (the whole body when not multipart).
    let leaves: [MIMELeaf]

    /// Where the body starts in `raw`.
    public var bodyOffset: Int { header.bodyStart }

    /// Parses the header block and walks the MIME structure, enforcing `limits`.
    /// Throws only for limit violations; malformed content is tolerated and reported
    /// through `warnings`.
    public init(raw: [UInt8], location: MessageLocation, limits: ParserLimits = .default) throws(MboxParserError) {
        guard raw.count <= limits.maxMessageBytes else {
            throw MboxParserError(.messageTooLarge, location: location,
                reason: "message is larger than \(limits.maxMessageBytes) bytes (postfix message_size_limit)")
        }
        self.location = location
        self.raw = raw
        let parsed: Result<(HeaderBlock, [MIMELeaf]), MboxParserError> = raw.withUnsafeBufferPointer { bytes in
            Result { () throws(MboxParserError) in
                let header = try HeaderBlock.parse(bytes, from: 0, to: bytes.count, limits: limits,
                                                   location: location, skipEnvelopeLine: true)
                let leaves = try MIMELeaf.walk(bytes, root: header, end: bytes.count, limits: limits, location: location)
                return (header, leaves)
            }
        }
        switch parsed {
        case .success(let (header, leaves)):
            self.header = header
            self.leaves = leaves
        case .failure(let error):
            throw error
        }
    }

    /// A parse of `raw` read from nowhere in particular (tests, strings built in code).
    public init(raw: String, location: MessageLocation = MessageLocation(file: "-", number: 1)) throws(MboxParserError) {
        try self.init(raw: Array(raw.utf8), location: location)
    }
}
