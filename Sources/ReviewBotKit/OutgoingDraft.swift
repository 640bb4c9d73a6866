import CurlKit
import Foundation
import MailSources
import MboxParser
import ReviewEngine

/// A drafted reply as `reviewbot send` and `drafts push` read it from DIR. The file is
/// read strictly (`DraftHeaderBlock`): the envelope comes from its own headers (From; To,
/// Cc and Bcc), never from anything in the body, and a draft whose headers a mail program
/// could read differently from us is refused rather than guessed at.
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
    /// The patch this draft answers (In-Reply-To, without brackets); nil for a draft that
    /// does not thread.
    public var patchMessageID: String?
    /// SHA-256 of the body with LF line ends: the same reply text, whatever its headers
    /// say (Date changes at send time), has the same hash.
    public var contentHash: String

    /// Longest header block read: a draft is small, and a file with no blank line must not
    /// be scanned as one endless header. Same as postfix's header_size_limit.
    static let maxHeaderBytes = 102_400
    /// Most recipients in one draft: RFC 5321 4.5.3.1.8 makes 100 the least a server must take.
    static let maxRecipients = 100
    /// Largest draft read: postfix's default message_size_limit (10 MB); a reply is a few KB.
    static let maxDraftBytes = 10_240_000

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
        guard bytes.count <= Self.maxDraftBytes else {
            throw ReviewBotError("\(file): larger than \(Self.maxDraftBytes) bytes, so not a draft reviewbot wrote")
        }
        self.file = file
        original = bytes
        let block = try DraftHeaderBlock(bytes, file: file)
        let fields = block.fields
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
        guard let id = matching("Message-ID").first else {
            throw ReviewBotError("\(file): no Message-ID header, so a second send could not be recognised")
        }
        let bare = MessageID.bare(id)
        guard MailHeaderText.isMessageID(bare), id.trimmingCharacters(in: .whitespaces) == "<\(bare)>" else {
            throw ReviewBotError("\(file): the Message-ID header is not one <id>, so a second send could not be recognised")
        }
        guard !(to + cc + bcc).isEmpty else { throw ReviewBotError("\(file): no recipients in To, Cc or Bcc") }
        headers = fields
        sender = senders[0]
        (self.to, self.cc, self.bcc) = (to, cc, bcc)
        messageID = "<\(bare)>"
        patchMessageID = matching("In-Reply-To").first.map(MessageID.bare).flatMap { MailHeaderText.isMessageID($0) ? $0 : nil }
        let body = bytes[block.bodyStart...].filter { $0 != UInt8(ascii: "\r") }
        contentHash = ContentDigest.sha256(Data(body))
        guard recipients.count <= Self.maxRecipients else {
            throw ReviewBotError("\(file): \(recipients.count) recipients, more than \(Self.maxRecipients)")
        }
        try crossCheck()
    }

    /// The first `count` lines of the body, for the confirmation screen.
    public func bodyPreview(lines count: Int) -> [String] {
        Array(bodyLines.prefix(count))
    }

    /// The body's lines, without line ends.
    public var bodyLines: [String] {
        guard let start = DraftHeaderBlock.bodyStart(original) else { return [] }
        let body = String(decoding: original[start.body...], as: UTF8.self)
        // isNewline, not "\n": "\r\n" is a single Character in Swift.
        var lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the piece after the final newline
        return lines.map(String.init)
    }

    /// The message as a second, independent reader (the mail parser that reads the
    /// patches) sees it, once Bcc is removed and Date set: it must find the same sender,
    /// recipients and Message-ID, and no header whose decoded text holds a control
    /// character. Anything else means a mail program could act on this draft differently
    /// from what the confirmation showed.
    func crossCheck() throws {
        let sent: MailMessage
        do {
            sent = try MailMessage(raw: [UInt8](messageToSend(date: Date(timeIntervalSince1970: 0))),
                                   location: MessageLocation(file: file, number: 1))
        } catch {
            throw ReviewBotError("\(file): the mail parser cannot read this draft: \(error)")
        }
        for header in sent.headers where header.value.unicodeScalars.contains(where: MailHeaderText.isControl) {
            throw ReviewBotError("\(file): the \(TerminalText.visible(header.name)) header decodes to text with a control character (\(TerminalText.visible(header.value).prefix(80))); fix or remove it")
        }
        func emails(_ list: [MailAddress]) -> [String] { list.map { $0.email.lowercased() } }
        let expected = (to + cc).map { $0.lowercased() }
        let reread = emails(sent.to) + emails(sent.cc)
        guard sent.from?.email.lowercased() == sender.lowercased(), reread == expected,
              sent.headers("bcc").isEmpty, sent.messageID.map({ "<\($0)>" }) == messageID else {
            throw ReviewBotError("\(file): its headers read differently with another mail parser (From \(sent.from?.email ?? "none"), To and Cc \(reread.joined(separator: ", "))); rewrite the address headers as plain 'Name <address>' lists")
        }
    }
}
