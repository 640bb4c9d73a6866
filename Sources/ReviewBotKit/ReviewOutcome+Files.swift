import Foundation
import MailSources
import ReviewEngine

extension ReviewOutcome {
    /// The files of the output directory, by name: per patch with findings its
    /// review-inline text and reply; `drafts.mbox` with every reply (for mutt);
    /// `findings.json`; `report.md`.
    public var outputFiles: [(name: String, text: String)] {
        var files: [(String, String)] = []
        var mails: [FetchedMail.Part] = []
        for number in drafts.keys.sorted() {
            let draft = drafts[number]!
            let names = Self.draftNames(number)
            files.append((names.inline, draft.reviewInline))
            files.append((names.mail, draft.mail))
            mails.append(FetchedMail.Part(kind: .message, bytes: Data(draft.mail.utf8), origin: names.mail))
        }
        // mboxrd, as public-inbox and b4 write it, so `mutt -f drafts.mbox` reads every draft.
        if !mails.isEmpty { files.append(("drafts.mbox", String(decoding: FetchedMail(parts: mails).mboxrd(), as: UTF8.self))) }
        files.append(("findings.json", findingsJSON))
        files.append(("report.md", reportMarkdown))
        return files
    }

    /// b4's agent review files (`0001.txt`, ...): a one-line summary, a blank line, then the
    /// quoted diff with the comments between the quoted lines.
    public var b4ReviewFiles: [(name: String, text: String)] {
        drafts.keys.sorted().map { number in
            let draft = drafts[number]!
            return (String(format: "%04d.txt", number), draft.summary + "\n\n" + draft.quotedReview + "\n")
        }
    }

    /// Writes `outputFiles` under `directory` (and `b4ReviewFiles` under `b4Directory`),
    /// creating them as needed. Drafts from an earlier run of other patches are left alone.
    public func write(to directory: URL, b4Directory: URL? = nil) throws {
        func write(_ files: [(name: String, text: String)], _ dir: URL) throws {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for file in files {
                    try Data(file.text.utf8).write(to: dir.appendingPathComponent(file.name), options: .atomic)
                }
            } catch {
                throw ReviewBotError("cannot write \(dir.path): \(error.localizedDescription)", kind: .usage)
            }
        }
        try write(outputFiles, directory)
        if let b4Directory { try write(b4ReviewFiles, b4Directory) }
    }
}
