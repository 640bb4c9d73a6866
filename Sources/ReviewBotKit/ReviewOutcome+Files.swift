import Foundation
import MailSources
import ReviewEngine

extension ReviewOutcome {
    /// The files of the output directory, by name: per patch with findings its
    /// review-inline text and reply; `drafts.mbox` with every reply (for mutt);
    /// `findings.json`; `report.md`.
    public var outputFiles: [OutputFile] {
        var files: [OutputFile] = []
        var mails: [FetchedMail.Part] = []
        for number in drafts.keys.sorted() {
            let draft = drafts[number]!
            let names = Self.draftNames(number)
            let patch = patches.first { $0.number == number }?.mail.messageID
            files.append(OutputFile(name: names.inline, data: Data(draft.reviewInline.utf8)))
            files.append(OutputFile(name: names.mail, data: Data(draft.mail.utf8), messageID: "<\(draft.messageID)>",
                                    patchMessageID: patch.flatMap { MailHeaderText.isMessageID($0) ? $0 : nil }))
            mails.append(FetchedMail.Part(kind: .message, bytes: Data(draft.mail.utf8), origin: names.mail))
        }
        // mboxrd, as public-inbox and b4 write it, so `mutt -f drafts.mbox` reads every draft.
        if !mails.isEmpty { files.append(OutputFile(name: "drafts.mbox", data: FetchedMail(parts: mails).mboxrd())) }
        files.append(OutputFile(name: "findings.json", data: Data(findingsJSON.utf8)))
        files.append(OutputFile(name: "report.md", data: Data(reportMarkdown.utf8)))
        return files
    }

    /// b4's agent review files (`0001.txt`, ...): a one-line summary, a blank line, then the
    /// quoted diff with the comments between the quoted lines.
    public var b4ReviewFiles: [OutputFile] {
        drafts.keys.sorted().map { number in
            let draft = drafts[number]!
            return OutputFile(name: String(format: "%04d.txt", number),
                              data: Data((draft.summary + "\n\n" + draft.quotedReview + "\n").utf8))
        }
    }

    /// Writes `outputFiles` into `directory` (and `b4ReviewFiles` into `b4Directory`) as
    /// the review `review`, with the rules of `OutputDirectory`: all or nothing, the
    /// maintainer's edits kept, another review's files set aside. Returns what the user
    /// should hear.
    @discardableResult
    public func write(to directory: URL, b4Directory: URL? = nil, review: ReviewIdentity, force: Bool = false,
                      writer: FileWriter = .system, date: Date = Date()) throws -> [String] {
        var files = outputFiles
        var b4 = b4Directory
        // One directory for both: one manifest for both.
        if let b4Directory, b4Directory.standardizedFileURL.path == directory.standardizedFileURL.path {
            files += b4ReviewFiles
            b4 = nil
        }
        var notes = try OutputDirectory(directory, writer: writer).write(files, review: review, force: force, date: date)
        if let b4 {
            notes += try OutputDirectory(b4, writer: writer).write(b4ReviewFiles, review: review, force: force, date: date)
                .map { "\(b4.path): \($0)" }
        }
        return notes
    }
}
