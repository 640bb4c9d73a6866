import MboxParser
import ReviewEngine

extension OriginalMail {
    /// What a reply to `message` needs of it. Nothing is cleaned here: drafting makes
    /// every piece safe for a header (`MailHeaderText`); a missing Message-ID stays empty,
    /// and the reply then does not thread, with a note.
    public init(_ message: SeriesMessage) {
        self.init(messageID: message.messageID ?? "", subject: message.subject, references: message.references,
                  author: message.author ?? MailAddress(name: "", email: ""), to: message.to, cc: message.cc,
                  date: message.dateHeader)
    }
}
