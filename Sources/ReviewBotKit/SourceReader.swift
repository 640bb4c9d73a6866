import CurlKit
import Foundation
import MailSources
import MboxParser

/// Turns any SOURCE a user may type into a mailbox the parser can stream: a local file,
/// directory or stdin is read where it is; a lore thread or an IMAP folder is fetched
/// and spooled to a temporary mboxrd file, so every command reads mail one way.
public struct SourceReader: Sendable {
    public var configuration: Configuration
    public var flags: SourceFlags
    public var environment: [String: String]

    public init(configuration: Configuration, flags: SourceFlags = SourceFlags(),
                environment: [String: String]) {
        self.configuration = configuration
        self.flags = flags
        self.environment = environment
    }

    /// A mailbox to read, the name to report its errors under, and what fetching it said.
    public struct Spooled: Sendable {
        public var path: String
        public var displayName: String
        public var notes: [String]

        /// A per-message error with the spool file replaced by the source the user gave.
        public func describe(_ error: MboxParserError) -> String {
            path == displayName ? "\(error)" : "\(error)".replacingOccurrences(of: path, with: displayName)
        }

        /// A warning the same way: `<file>:<n>: warning: <reason>`.
        public func describe(_ warning: ParseWarning) -> String {
            let place = path == displayName ? "\(warning.location)"
                : "\(warning.location)".replacingOccurrences(of: path, with: displayName)
            return "\(place): warning: \(warning.reason)"
        }
    }

    /// Runs `body` with a mailbox holding what `source` yields. Fetched mail is spooled to a
    /// temporary file that is removed afterwards.
    public func withMailbox<T>(_ source: String, _ body: (Spooled) throws -> T) async throws -> T {
        let spec = try SourceSpec.parse(source)
        switch spec {
        case .path(let path): return try body(Spooled(path: path, displayName: path, notes: []))
        case .standardInput: return try body(Spooled(path: "-", displayName: "-", notes: []))
        case .lore, .imap: break
        }
        let fetcher = MailFetcher(lore: LoreClient(client: CurlClient(),
                                                   configuration: try configuration.loreConfiguration(flags: flags, environment: environment)),
                                  imap: try configuration.imapOptions(flags: flags, environment: environment))
        let fetched = try await fetcher.fetch(spec)
        let spool = FileManager.default.temporaryDirectory
            .appendingPathComponent("reviewbot-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).mbox")
        do {
            try fetched.mboxrd().write(to: spool)
        } catch {
            throw ReviewBotError("cannot spool fetched mail to \(spool.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: spool) }
        return try body(Spooled(path: spool.path, displayName: source, notes: fetched.notes))
    }

    /// Every message of `source` for series assembly, with the per-message errors.
    public func seriesMessages(_ source: String) async throws
        -> (messages: [SeriesMessage], errors: [String], notes: [String])
    {
        try await withMailbox(source) { mailbox in
            let (messages, errors) = try SeriesMessage.read(path: mailbox.path)
            return (messages, errors.map(mailbox.describe), mailbox.notes)
        }
    }
}
