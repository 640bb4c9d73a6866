import Crypto
import Foundation
import MboxParser

extension ReviewDraft {
    /// RFC 5322's hard limit on a line; a longer quoted line forces quoted-printable.
    static let maxMailLineBytes = 998

    /// Drafts the reply to one patch. Pure: the date and the Message-ID's domain come in,
    /// and the Message-ID is derived from the content, so drafting the same review twice
    /// gives the same draft (and pushing it twice does not duplicate it).
    public static func make(_ input: ReviewDraftInput, settings: DraftSettings, date: Date) -> ReviewDraft {
        let (quoted, unplaced) = quoteReview(input)
        let summary = summarize(input)
        let inline = renderInline(input, quoted: quoted, summary: summary, unplaced: unplaced)

        var body: [String] = []
        if !settings.disclosure.isEmpty {
            body.append(TextWrapping.wrap(settings.disclosure))
            body.append("")
        }
        for c in unplaced {
            body.append(TextWrapping.wrap(c.text))
            body.append("")
        }
        // One line each, whatever the original's header held.
        let who = MailHeaderText.singleLine(input.mail.author.name.isEmpty ? input.mail.author.email
                                                                            : input.mail.author.name)
        let when = input.mail.date.map(MailHeaderText.singleLine) ?? ""
        body.append("On \(when.isEmpty ? "an earlier date" : when), \(who) wrote:")
        body.append(quoted)
        if let signature = settings.signature, !signature.isEmpty {
            body.append("")
            body.append("-- ")
            body.append(signature)
        }
        let text = body.joined(separator: "\n") + "\n"
        let (mail, messageID, notes) = replyMail(text: text, to: input.mail, settings: settings, date: date)
        return ReviewDraft(reviewInline: inline, quotedReview: quoted, summary: summary, mail: mail,
                           messageID: messageID, unplaced: unplaced, notes: notes)
    }

    /// The reply to `original` with body `text`: the headers every draft shares (threading,
    /// recipients, encodings; see replyHeaders), a Message-ID derived from the content, and
    /// notes on what the headers had to leave out.
    static func replyMail(text: String, to original: OriginalMail, settings: DraftSettings,
                          date: Date) -> (mail: String, messageID: String, notes: [String]) {
        let digest = SHA256.hash(data: Data((original.messageID + "\n" + text).utf8))
        let token = digest.prefix(12).map { String(format: "%02x", $0) }.joined()
        let domain = settings.reviewer.email.split(separator: "@").last.map(String.init) ?? ""
        let messageID = MailHeaderText.isMessageID("reviewbot-\(token)@\(domain)")
            ? "reviewbot-\(token)@\(domain)" : "reviewbot-\(token)@localhost"
        let needsQP = text.split(separator: "\n").contains { $0.utf8.count > maxMailLineBytes }
        let (headers, notes) = replyHeaders(original, settings: settings, messageID: messageID, date: date,
                                            quotedPrintable: needsQP)
        let head = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
        return (head + "\n\n" + (needsQP ? QuotedPrintable.encode(text) : text), messageID, notes)
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }
}

/// Quoted-printable for the rare reply that quotes a line over 998 bytes.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        var out: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded = ""
            var width = 0
            let bytes = Array(line.utf8)
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let piece: String
                if (byte == 0x20 || byte == 0x09) && isLast || byte == 0x3D || byte > 0x7E || byte < 0x20 && byte != 0x09 {
                    piece = String(format: "=%02X", byte)
                } else {
                    piece = String(Character(Unicode.Scalar(byte)))
                }
                if width + piece.count > 75 {
                    encoded += "=\n"
                    width = 0
                }
                encoded += piece
                width += piece.count
            }
            out.append(encoded)
        }
        return out.joined(separator: "\n")
    }
}
