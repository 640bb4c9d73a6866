import Foundation

extension SeriesMessage {
    /// What series assembly needs of a parsed mail: decoded headers, the body git mailinfo
    /// would read, and the patch when that body holds a diff.
    public init(_ mail: MailMessage) {
        var warnings: [String] = []
        let body = mail.decodeBody(warnings: &warnings)
        let from = mail.header("x-original-from").flatMap { MailAddress.parseList($0).first }
        self.init(messageID: mail.messageID, inReplyTo: mail.inReplyTo, references: mail.references,
                  subject: mail.subject ?? "", from: mail.from, originalFrom: from, date: mail.date,
                  dateHeader: mail.dateString, bodyText: body,
                  patch: PatchParser.containsDiff(body) ? PatchParser.parse(body: body) : nil,
                  location: mail.location)
        to = mail.to
        cc = mail.cc
        for field in mail.fields(named: "subject") + mail.fields(named: "from") {
            _ = mail.mailHeader(field, warnings: &warnings)
        }
        var seen = Set<String>()
        self.warnings = warnings.filter { seen.insert($0).inserted }
    }

    /// Every message of a file, directory or stdin (`-`), with the per-message errors
    /// that stopped a message (reported, never fatal).
    public static func read(path: String) throws(MboxParserError)
        -> (messages: [SeriesMessage], errors: [MboxParserError])
    {
        var messages: [SeriesMessage] = []
        var errors: [MboxParserError] = []
        for result in try Mailbox(path: path) {
            switch result {
            case .success(let mail): messages.append(SeriesMessage(mail))
            case .failure(let error): errors.append(error)
            }
        }
        return (messages, errors)
    }
}
