import Foundation
import MboxParser

extension ReviewDraft {
    /// Who a reply goes to: the patch author in To; with `ccOriginalRecipients`, the
    /// original To and Cc in Cc. Each address once (case-insensitively), the reviewer never
    /// in Cc, and an address that cannot be written into a header safely (see
    /// `MailHeaderText.isAddrSpec`) left out and returned, so the caller can say so.
    public static func replyRecipients(_ mail: OriginalMail, settings: DraftSettings)
        -> (to: [MailAddress], cc: [MailAddress], leftOut: [MailAddress])
    {
        var leftOut: [MailAddress] = []
        var seen: Set<String> = [settings.reviewer.email.lowercased()]
        var to: [MailAddress] = []
        if MailHeaderText.isAddrSpec(mail.author.email) {
            to.append(mail.author)
            seen.insert(mail.author.email.lowercased())
        } else {
            leftOut.append(mail.author)
        }
        var cc: [MailAddress] = []
        if settings.ccOriginalRecipients {
            for address in mail.to + mail.cc {
                guard MailHeaderText.isAddrSpec(address.email) else { leftOut.append(address); continue }
                if seen.insert(address.email.lowercased()).inserted { cc.append(address) }
            }
        }
        return (to, cc, leftOut)
    }

    /// The reply's header fields in order, every value built from parsed parts and
    /// encoded by `MailHeaderText`, and notes on what had to be left out.
    static func replyHeaders(_ mail: OriginalMail, settings: DraftSettings, messageID: String, date: Date,
                             quotedPrintable: Bool) -> (fields: [(String, String)], notes: [String]) {
        var notes: [String] = []
        let (to, cc, leftOut) = replyRecipients(mail, settings: settings)
        for address in leftOut {
            let email = MailHeaderText.singleLine(address.email).prefix(80)
            notes.append(email.isEmpty ? "left out of the reply: an address without its mailbox part ('\(MailHeaderText.singleLine(address.name).prefix(80))')"
                                       : "left out of the reply: '\(email)' is not an address a mail can go to")
        }
        var fields: [(String, String)] = []
        if let from = MailHeaderText.address(settings.reviewer) {
            fields.append(("From", from))
        } else {
            notes.append("the reviewer's address '\(settings.reviewer.email)' is not a valid address; set [drafts] from")
        }
        if !to.isEmpty { fields.append(("To", to.compactMap(MailHeaderText.address).joined(separator: ",\n "))) }
        if !cc.isEmpty { fields.append(("Cc", cc.compactMap(MailHeaderText.address).joined(separator: ",\n "))) }

        let original = MailHeaderText.singleLine(mail.subject)
        let subject = original.range(of: "^re:", options: [.regularExpression, .caseInsensitive]) != nil
            ? original : "Re: " + original
        fields += [
            ("Subject", MailHeaderText.unstructured(subject, nameLength: "Subject: ".count)),
            ("Date", rfc5322Date(date)),
            ("Message-ID", "<\(messageID)>"),
        ]
        if MailHeaderText.isMessageID(mail.messageID) {
            var references: [String] = []
            var seen: Set<String> = [mail.messageID]
            for id in mail.references where MailHeaderText.isMessageID(id) && seen.insert(id).inserted {
                references.append(id)
            }
            fields.append(("In-Reply-To", "<\(mail.messageID)>"))
            fields.append(("References", (references + [mail.messageID]).map { "<\($0)>" }.joined(separator: "\n ")))
        } else {
            notes.append("the mail '\(MailHeaderText.singleLine(mail.subject).prefix(80))' has no usable Message-ID (read from stdin or a file?): its reply has no In-Reply-To or References and will not thread; add them by hand if you know the id")
        }
        fields += [
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", quotedPrintable ? "quoted-printable" : "8bit"),
        ]
        return (fields, notes)
    }
}
