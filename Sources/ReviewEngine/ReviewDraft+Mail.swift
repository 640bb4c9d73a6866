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
        let who = input.mail.author.name.isEmpty ? input.mail.author.email : input.mail.author.name
        body.append("On \(input.mail.date ?? "an earlier date"), \(who) wrote:")
        body.append(quoted)
        if let signature = settings.signature, !signature.isEmpty {
            body.append("")
            body.append("-- ")
            body.append(signature)
        }
        let text = body.joined(separator: "\n") + "\n"
        let (mail, messageID) = replyMail(text: text, to: input.mail, settings: settings, date: date)
        return ReviewDraft(reviewInline: inline, quotedReview: quoted, summary: summary, mail: mail,
                           messageID: messageID, unplaced: unplaced)
    }

    /// The reply to `original` with body `text`: the headers every draft shares (threading,
    /// recipients, encodings) and a Message-ID derived from the content.
    static func replyMail(text: String, to original: OriginalMail, settings: DraftSettings,
                          date: Date) -> (mail: String, messageID: String) {
        let digest = SHA256.hash(data: Data((original.messageID + "\n" + text).utf8))
        let token = digest.prefix(12).map { String(format: "%02x", $0) }.joined()
        let domain = settings.reviewer.email.split(separator: "@").last.map(String.init) ?? "localhost"
        let messageID = "reviewbot-\(token)@\(domain)"

        var recipients = Set([settings.reviewer.email.lowercased(), original.author.email.lowercased()])
        var cc: [MailAddress] = []
        if settings.ccOriginalRecipients {
            for a in original.to + original.cc where recipients.insert(a.email.lowercased()).inserted {
                cc.append(a)
            }
        }
        let subject = original.subject.range(of: "^re:", options: [.regularExpression, .caseInsensitive]) != nil
            ? original.subject : "Re: " + original.subject
        let needsQP = text.split(separator: "\n").contains { $0.utf8.count > maxMailLineBytes }
        var headers: [(String, String)] = [
            ("From", encodeAddress(settings.reviewer)),
            ("To", encodeAddress(original.author)),
        ]
        if !cc.isEmpty { headers.append(("Cc", cc.map(encodeAddress).joined(separator: ",\n "))) }
        headers += [
            ("Subject", encodeWords(subject)),
            ("Date", rfc5322Date(date)),
            ("Message-ID", "<\(messageID)>"),
            ("In-Reply-To", "<\(original.messageID)>"),
            ("References", (original.references + [original.messageID]).map { "<\($0)>" }
                .joined(separator: "\n ")),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", needsQP ? "quoted-printable" : "8bit"),
        ]
        let head = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
        return (head + "\n\n" + (needsQP ? QuotedPrintable.encode(text) : text), messageID)
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }

    static func encodeAddress(_ a: MailAddress) -> String {
        guard !a.name.isEmpty else { return "<\(a.email)>" }
        if a.name.unicodeScalars.allSatisfy({ $0.isASCII }) { return formatAddress(a) }
        return "\(encodeWords(a.name)) <\(a.email)>"
    }

    /// RFC 2047 Q-encoding of a header value, only when it holds non-ASCII text.
    static func encodeWords(_ value: String) -> String {
        guard !value.unicodeScalars.allSatisfy({ $0.isASCII }) else { return value }
        // Encoded-words are at most 75 characters: split the UTF-8 bytes at scalar
        // boundaries into chunks that fit.
        var words: [String] = []
        var current = ""
        for scalar in value.unicodeScalars {
            var piece = ""
            for byte in String(scalar).utf8 {
                let c = Character(Unicode.Scalar(byte))
                if byte == 0x20 {
                    piece += "_"
                } else if byte < 0x80, c.isLetter || c.isNumber || "!*+-/".contains(c) {
                    piece.append(c)
                } else {
                    piece += String(format: "=%02X", byte)
                }
            }
            if current.count + piece.count > 75 - 12 {
                words.append("=?UTF-8?Q?\(current)?=")
                current = ""
            }
            current += piece
        }
        if !current.isEmpty { words.append("=?UTF-8?Q?\(current)?=") }
        return words.joined(separator: "\n ")
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
