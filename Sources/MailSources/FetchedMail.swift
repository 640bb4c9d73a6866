import Foundation
import MboxParser

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

    /// Everything as one mboxrd file, like `b4 mbox`: an mboxrd part (lore's) byte for byte;
    /// any other mbox (git format-patch's mboxo, a mail client's) split by the mail reader
    /// and, like a single message, written behind a `From mboxrd@z` line with `^>*From `
    /// escaped and a blank line after it. When the reader refuses a message of a part (a
    /// size limit), that part is written as it stood, so nothing is lost.
    public func mboxrd() -> Data {
        var out = Data()
        for part in parts {
            switch part.kind {
            case .mbox where Self.isMboxrd(part.bytes):
                out.append(part.bytes)
            case .mbox:
                let messages = Mailbox.rawMessages(in: [UInt8](part.bytes), name: part.origin)
                let raws = messages.compactMap { try? $0.get() }
                guard raws.count == messages.count else {
                    out.append(part.bytes)
                    continue
                }
                for raw in raws { out.append(Self.mboxrdEntry(Data(raw.bytes))) }
            case .message:
                out.append(Self.mboxrdEntry(part.bytes))
            }
        }
        return out
    }

    static func isMboxrd(_ bytes: Data) -> Bool {
        bytes.starts(with: Data("From mboxrd@z ".utf8)) || bytes.starts(with: Data("From mboxrd ".utf8))
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
