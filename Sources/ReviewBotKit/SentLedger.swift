import Foundation
import ReviewEngine
#if canImport(Glibc)
import Glibc
#endif

/// What `send` and `drafts push` already handed to a server, kept in the state database
/// (`StateStore`'s sentMail table) so that no copy of an output directory and no second
/// review into a new one sends a reply twice. Replaces the old per-directory `DIR/.sent`,
/// which is imported on first use.
public struct SentLedger: Sendable {
    public let store: StateStore

    /// The pre-database ledger's name inside DIR, and what it is renamed to once imported.
    static let legacyFileName = ".sent"
    static let importedFileName = "sent-imported"
    /// Larger legacy files are not read: a line per sent draft.
    static let maxLegacyBytes = 1_048_576

    public init(store: StateStore) {
        self.store = store
    }

    /// What the ledger knows about a draft, as the user should hear it.
    public enum Status: Sendable, Equatable {
        case new
        /// The server took this draft (or the same text for the same patch).
        case sent(SentMailRecord)
        /// Another reviewbot is sending it right now.
        case inProgress(SentMailRecord)
        /// A send started and never finished: the server may or may not have it.
        case unknown(SentMailRecord)
    }

    public func status(of draft: OutgoingDraft, channel: SentMailRecord.Channel) throws -> Status {
        guard let record = try store.sentMail(channel: channel, messageID: draft.messageID,
                                              patchMessageID: draft.patchMessageID, contentHash: draft.contentHash)
        else { return .new }
        return Self.status(record)
    }

    static func status(_ record: SentMailRecord) -> Status {
        switch record.state {
        case .accepted: return .sent(record)
        case .sending: return isRunning(record.processID) ? .inProgress(record) : .unknown(record)
        }
    }

    /// Other replies to the same patch that went out (with different text).
    public func otherReplies(to draft: OutgoingDraft, channel: SentMailRecord.Channel) throws -> [SentMailRecord] {
        guard let patch = draft.patchMessageID else { return [] }
        return try store.sentReplies(channel: channel, toPatch: patch).filter { $0.messageID != draft.messageID }
    }

    /// Imports `DIR/.sent` (`<message-id> file date` per line) once: each line becomes an
    /// accepted SMTP record, with the patch and content hash read from the draft when it is
    /// still there, and the file is renamed into `DIR/.reviewbot/`. Returns how many lines
    /// were imported.
    @discardableResult
    public func importLegacyFile(in directory: URL) throws -> Int {
        let legacy = directory.appendingPathComponent(Self.legacyFileName)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: legacy.path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return 0 }
        guard (attributes[.size] as? Int ?? 0) <= Self.maxLegacyBytes,
              let text = try? String(contentsOf: legacy, encoding: .utf8) else {
            throw ReviewBotError("\(legacy.path) is not a ledger reviewbot wrote (too large or not text); move it away")
        }
        var imported = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, parts[0].hasPrefix("<"), parts[0].hasSuffix(">") else { continue }
            let file = String(parts[1])
            let date = parts.count >= 3 ? ISO8601DateFormatter().date(from: String(parts[2])) : nil
            let draft = (try? Data(contentsOf: directory.appendingPathComponent(file)))
                .flatMap { try? OutgoingDraft(file: file, bytes: $0) }
            let record = SentMailRecord(
                channel: .smtp, destination: "(imported from \(legacy.path))", messageID: String(parts[0]),
                patchMessageID: draft?.patchMessageID, contentHash: draft?.contentHash ?? "",
                file: file, directory: directory.path, recipients: draft?.recipients ?? [], state: .accepted,
                startedAt: date ?? Date(), acceptedAt: date ?? Date())
            if try store.claimSend(record) == nil { imported += 1 }
        }
        let metadata = directory.appendingPathComponent(OutputManifest.directoryName)
        try? FileManager.default.createDirectory(at: metadata, withIntermediateDirectories: true)
        _ = rename(legacy.path, metadata.appendingPathComponent(Self.importedFileName).path)
        return imported
    }

    /// Whether process `pid` (not this one) is still running.
    static func isRunning(_ pid: Int32) -> Bool {
        pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM)
    }
}

extension SentMailRecord {
    /// `on 2026-11-22 14:03 to a@b, c@d` for the user.
    public var whenAndWhere: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let when = formatter.string(from: acceptedAt ?? startedAt)
        return "on \(when)" + (channel == .imap ? " to \(destination)" : "")
            + (file.isEmpty ? "" : " (as \(file) from \(directory))")
    }
}
