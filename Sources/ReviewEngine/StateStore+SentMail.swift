import Foundation
import GRDB

/// One reply handed to a server (SMTP) or a mailbox (IMAP APPEND), or on its way there.
public struct SentMailRecord: Sendable, Equatable {
    public enum Channel: String, Sendable {
        /// `reviewbot send`: submitted over SMTP.
        case smtp
        /// `drafts push` / `review --push`: appended to an IMAP mailbox.
        case imap
    }

    public enum State: String, Sendable {
        /// Claimed before the first byte went out; still so when the run stopped before
        /// the server answered, so whether it arrived is unknown.
        case sending
        /// The server took it: 250 after DATA, or OK after APPEND.
        case accepted
    }

    public var channel: Channel
    /// The server's host or the mailbox URL; never a password.
    public var destination: String
    /// With angle brackets, as in the draft's header.
    public var messageID: String
    /// The patch the reply answers (its In-Reply-To), without brackets.
    public var patchMessageID: String?
    /// SHA-256 of the reply's body (see OutgoingDraft.contentHash).
    public var contentHash: String
    public var file: String
    public var directory: String
    public var recipients: [String]
    public var state: State
    public var startedAt: Date
    public var acceptedAt: Date?
    /// The process that claimed it, to tell a send in progress from one that was cut off.
    public var processID: Int32

    public init(channel: Channel, destination: String, messageID: String, patchMessageID: String?,
                contentHash: String, file: String, directory: String, recipients: [String],
                state: State = .sending, startedAt: Date, acceptedAt: Date? = nil,
                processID: Int32 = ProcessInfo.processInfo.processIdentifier) {
        self.channel = channel
        self.destination = destination
        self.messageID = messageID
        self.patchMessageID = patchMessageID
        self.contentHash = contentHash
        self.file = file
        self.directory = directory
        self.recipients = recipients
        self.state = state
        self.startedAt = startedAt
        self.acceptedAt = acceptedAt
        self.processID = processID
    }
}

/// The sent-mail ledger: what went out, kept in the state database rather than beside
/// the drafts, so a copy of the output directory or a second review into a new one does
/// not send again. Keyed by Message-ID and by (patch Message-ID, content hash): the same
/// reply text to the same patch is recognised even under a new Message-ID.
extension StateStore {
    static func registerSentMailMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("sentMail") { db in
            try db.create(table: "sentMail") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("channel", .text).notNull()
                table.column("destination", .text).notNull()
                table.column("messageID", .text).notNull()
                table.column("patchMessageID", .text)
                table.column("contentHash", .text).notNull()
                table.column("file", .text).notNull()
                table.column("directory", .text).notNull()
                table.column("recipients", .text).notNull()
                table.column("state", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("acceptedAt", .datetime)
                table.column("processID", .integer).notNull()
            }
            try db.create(index: "sentMailByMessageID", on: "sentMail", columns: ["channel", "messageID"], unique: true)
            try db.create(index: "sentMailByPatch", on: "sentMail", columns: ["channel", "patchMessageID", "contentHash"])
        }
    }

    /// What was claimed or sent on `channel` with this Message-ID, or the same reply text
    /// to the same patch; nil when neither.
    public func sentMail(channel: SentMailRecord.Channel, messageID: String, patchMessageID: String?,
                         contentHash: String) throws -> SentMailRecord? {
        try ledgerAccess { db in try Self.find(db, channel, messageID, patchMessageID, contentHash) }
    }

    /// Every accepted reply to `patchMessageID` on `channel`, oldest first.
    public func sentReplies(channel: SentMailRecord.Channel, toPatch patchMessageID: String) throws -> [SentMailRecord] {
        try ledgerAccess { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM sentMail WHERE channel = ? AND patchMessageID = ? AND state = 'accepted' ORDER BY id
                """, arguments: [channel.rawValue, patchMessageID]).map(Self.record)
        }
    }

    /// Claims `record` before it goes out, in one transaction with the check: nil when
    /// claimed, else the record that was there first (sent, or being sent). Two runs,
    /// even on copies of one directory, cannot both claim one reply.
    public func claimSend(_ record: SentMailRecord) throws -> SentMailRecord? {
        try ledgerAccess { db in
            if let existing = try Self.find(db, record.channel, record.messageID, record.patchMessageID,
                                             record.contentHash) {
                return existing
            }
            try db.execute(sql: """
                INSERT INTO sentMail (channel, destination, messageID, patchMessageID, contentHash, file, directory,
                    recipients, state, startedAt, acceptedAt, processID)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.channel.rawValue, record.destination, record.messageID, record.patchMessageID,
                                 record.contentHash, record.file, record.directory,
                                 record.recipients.joined(separator: " "), record.state.rawValue, record.startedAt,
                                 record.acceptedAt, record.processID])
            return nil
        }
    }

    /// The server took the message: written at once, before the session is closed.
    public func markAccepted(channel: SentMailRecord.Channel, messageID: String, at date: Date = Date()) throws {
        try ledgerAccess { db in
            try db.execute(sql: "UPDATE sentMail SET state = 'accepted', acceptedAt = ? WHERE channel = ? AND messageID = ?",
                           arguments: [date, channel.rawValue, messageID])
        }
    }

    /// The server certainly did not take it (refused, or never reached): forget the claim.
    public func releaseClaim(channel: SentMailRecord.Channel, messageID: String) throws {
        try ledgerAccess { db in
            try db.execute(sql: "DELETE FROM sentMail WHERE channel = ? AND messageID = ? AND state = 'sending'",
                           arguments: [channel.rawValue, messageID])
        }
    }

    private static func find(_ db: Database, _ channel: SentMailRecord.Channel, _ messageID: String,
                             _ patchMessageID: String?, _ contentHash: String) throws -> SentMailRecord? {
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM sentMail WHERE channel = ? AND messageID = ?",
                                      arguments: [channel.rawValue, messageID]) {
            return record(row)
        }
        guard let patchMessageID else { return nil }
        return try Row.fetchOne(db, sql: """
            SELECT * FROM sentMail WHERE channel = ? AND patchMessageID = ? AND contentHash = ? ORDER BY id LIMIT 1
            """, arguments: [channel.rawValue, patchMessageID, contentHash]).map(record)
    }

    private static func record(_ row: Row) -> SentMailRecord {
        let recipients: String = row["recipients"]
        return SentMailRecord(
            channel: SentMailRecord.Channel(rawValue: row["channel"]) ?? .smtp, destination: row["destination"],
            messageID: row["messageID"], patchMessageID: row["patchMessageID"], contentHash: row["contentHash"],
            file: row["file"], directory: row["directory"],
            recipients: recipients.split(separator: " ").map(String.init),
            state: SentMailRecord.State(rawValue: row["state"]) ?? .sending, startedAt: row["startedAt"],
            acceptedAt: row["acceptedAt"], processID: row["processID"])
    }

    private func ledgerAccess<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try Self.retryingBusy {
                try database.writeWithoutTransaction { db in
                    var result: T?
                    // IMMEDIATE: the check and the claim hold the write lock together, so two
                    // processes cannot both find nothing and both claim.
                    try db.inTransaction(.immediate) {
                        result = try body(db)
                        return .commit
                    }
                    return result!
                }
            }
        } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }
}
