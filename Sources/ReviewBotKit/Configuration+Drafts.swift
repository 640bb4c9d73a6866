import Foundation
import MailSources

extension Configuration {
    /// `--push`: appends the drafts of `directory` to an IMAP mailbox with `\Draft`, once
    /// per Message-ID. Returns what to tell the user.
    public func pushDrafts(directory: URL, to mailbox: String, flags: SourceFlags,
                           environment: [String: String]) async throws -> [String] {
        let url = try IMAPMailboxURL(parsing: mailbox)
        let report = try await IMAPMailbox.pushDrafts(from: directory, to: url,
                                                      options: try imapOptions(flags: flags, environment: environment))
        return report.appended.map { "pushed \($0) to \(url)" } + report.skipped.map { "already in \(url.mailbox): \($0)" }
    }
}
