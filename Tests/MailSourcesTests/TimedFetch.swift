import Foundation
@testable import MailSources

/// A blocking IMAP fetch run on a thread of its own and timed there. An `await` is timed
/// by when its task resumes, which a full test run (many suites keeping the cooperative
/// pool busy) can delay by a minute; the work's own thread is not held up that way.
func timedFetch(_ url: IMAPMailboxURL, options: IMAPOptions) async throws -> (error: String?, seconds: Double) {
    try await onDedicatedThread {
        let started = Date()
        do {
            _ = try IMAPMailbox.fetchBlocking(url, options: options)
            return (nil, Date().timeIntervalSince(started))
        } catch {
            return ("\(error)", Date().timeIntervalSince(started))
        }
    }
}
