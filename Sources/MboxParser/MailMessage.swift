import Foundation

/// Where a message came from, for error reports (`<file>:<message number>: <reason>`).
public struct MessageLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file (mbox, .eml, maildir entry) or `-` for stdin.
    public var file: String
    /// 1-based position of the message in that file (1 for a single message).
    public var number: Int
    /// Byte offset of the message's first header line in the file.
    public var offset: Int

    public init(file: String, number: Int, offset: Int = 0) {
        self.file = file
        self.number = number
        self.offset = offset
    }

    public var description: String { "\(file):\(number)" }
}

/// A display name and address, decoded (`Ren\u{e9} Rebe <rene@example.org>`).
public struct MailAddress: Sendable, Hashable, Codable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}

/// One header field as it appeared (unfolded) and as decoded (RFC 2047, charsets).
public struct MailHeader: Sendable, Hashable {
    public var name: String
    /// Unfolded value with encoded-words decoded to Unicode.
    public var value: String
    /// The bytes of the field value as they stood in the mail, folding included.
    public var rawValue: [UInt8]

    public init(name: String, value: String, rawValue: [UInt8]) {
        self.name = name
        self.value = value
        self.rawValue = rawValue
    }
}

/// Something the reader tolerated but a user may want to know (invalid bytes, a bad charset).
public struct ParseWarning: Sendable, Hashable, CustomStringConvertible {
    public var location: MessageLocation
    public var reason: String

    public init(location: MessageLocation, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}
