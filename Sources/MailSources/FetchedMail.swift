import Foundation

/// What a source yielded: raw mail, in order, for the mail parser to read. Nothing here
/// is parsed; an mbox stays an mbox and a message stays the bytes the server sent.
public struct FetchedMail: Sendable {
    public struct Part: Sendable {
        public enum Kind: Sendable, Hashable {
            /// Several messages with `From ` separators (lore's thread, an mbox file).
            case mbox
            /// One RFC 5322 message without an mbox separator (IMAP, .eml, maildir).
            case message
        }

        public var kind: Kind
        public var bytes: Data
        /// Where it came from, for error messages (`lore:…/t.mbox.gz`, `imap://…;UID=7`, a path).
        public var origin: String

        public init(kind: Kind, bytes: Data, origin: String) {
            self.kind = kind
            self.bytes = bytes
            self.origin = origin
        }
    }

    public var parts: [Part]
    /// Things worth telling the user (served from cache, skipped files).
    public var notes: [String]

    public init(parts: [Part], notes: [String] = []) {
        self.parts = parts
        self.notes = notes
    }

    /// Everything as one mboxrd file, like `b4 mbox`: mbox parts as they are (lore's are
    /// already mboxrd), each message behind a `From mboxrd@z` line with `^>*From ` escaped
    /// and a blank line after it.
    public func mboxrd() -> Data {
        var out = Data()
        for part in parts {
            switch part.kind {
            case .mbox:
                out.append(part.bytes)
            case .message:
                out.append(Self.mboxrdEntry(part.bytes))
            }
        }
        return out
    }

    static let separator = Data("From mboxrd@z Thu Jan  1 00:00:00 1970\n".utf8)

    static func mboxrdEntry(_ message: Data) -> Data {
        var out = separator
        var lineStart = true
        var index = message.startIndex
        while index < message.endIndex {
            if lineStart {
                var probe = index
                while probe < message.endIndex && message[probe] == UInt8(ascii: ">") { probe += 1 }
                if message[probe...].starts(with: Data("From ".utf8)) { out.append(UInt8(ascii: ">")) }
            }
            let byte = message[index]
            out.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
            index += 1
        }
        if !lineStart { out.append(UInt8(ascii: "\n")) }
        out.append(UInt8(ascii: "\n"))
        return out
    }
}
