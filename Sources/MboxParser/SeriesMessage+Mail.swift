import Foundation

extension SeriesMessage {
    /// What series assembly needs of a parsed mail: decoded headers, the body git mailinfo
    /// would read, and the patch when that body holds a diff.
    public init(_ mail: MailMessage) {
        let body = mail.bodyText
        let from = mail.header("x-original-from").flatMap { MailAddress.parseList($0).first }
        self.init(messageID: mail.messageID, inReplyTo: mail.inReplyTo, references: mail.references,
                  subject: mail.subject ?? "", from: mail.from, originalFrom: from, date: mail.date,
                  dateHeader: mail.dateString, bodyText: body,
                  patch: PatchParser.containsDiff(body) ? PatchParser.parse(body: body) : nil,
                  location: mail.location)
        to = mail.to
        cc = mail.cc
    }

    /// What series assembly needs to tell series apart, without the bodies, so a scan of a
    /// mailbox of any size stays within its memory bound: patches keep their file list (no
    /// hunks), a cover letter keeps only its diffstat summary line, and plain replies
    /// (which never start a series) are left out.
    static func outline(of mail: MailMessage, isPatch: Bool) -> SeriesMessage? {
        let subject = mail.subject ?? ""
        var outline = SeriesMessage(messageID: mail.messageID, inReplyTo: mail.inReplyTo, references: mail.references,
                                    subject: subject, from: mail.from, date: mail.date, bodyText: "",
                                    location: mail.location)
        if isPatch {
            let files = PatchParser.parse(body: mail.bodyText).files.map {
                FileDiff(oldPath: $0.oldPath, newPath: $0.newPath, status: $0.status, isBinary: $0.isBinary)
            }
            outline.patch = files.isEmpty ? nil : Patch(files: files)
            return outline.patch == nil ? nil : outline
        }
        let parsed = PatchSubject.parse(subject)
        guard !parsed.isReply, parsed.hasPatchTag || parsed.index != nil else { return nil }
        let body = mail.bodyText
        if textHasDiffstat(body) {
            outline.bodyText = body.split(separator: "\n").first { textHasDiffstat(String($0)) }.map(String.init) ?? ""
        }
        return outline
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
