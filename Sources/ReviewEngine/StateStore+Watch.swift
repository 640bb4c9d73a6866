import Foundation
import Crypto
import GRDB

/// Where `reviewbot watch` stopped reading one source: for an IMAP folder its
/// UIDVALIDITY and the highest UID read; for a lore list the feed's validators. Saved in
/// the same transaction as the messages read, so a restart reads only what is new and
/// loses nothing.
public struct WatchCursor: Sendable, Equatable {
    public var source: String
    public var uidValidity: UInt32?
    public var lastUID: UInt32?
    public var etag: String?
    public var lastModified: String?
    /// When the source was last read without error.
    public var lastReadAt: Date?

    public init(source: String, uidValidity: UInt32? = nil, lastUID: UInt32? = nil, etag: String? = nil,
                lastModified: String? = nil, lastReadAt: Date? = nil) {
        self.source = source
        self.uidValidity = uidValidity
        self.lastUID = lastUID
        self.etag = etag
        self.lastModified = lastModified
        self.lastReadAt = lastReadAt
    }
}

/// A message watch mode has seen. Patches and cover letters keep their bytes, so a series
/// still settling when watch stops is whole again after a restart; for every other mail
/// (replies, pull requests) the Message-ID alone is kept, so it is never read twice.
public struct WatchMessage: Sendable, Equatable {
    public var messageID: String
    public var source: String
    public var receivedAt: Date
    /// The message as received; nil when only its id is kept.
    public var raw: Data?

    public init(messageID: String, source: String, receivedAt: Date, raw: Data?) {
        self.messageID = messageID
        self.source = source
        self.receivedAt = receivedAt
        self.raw = raw
    }
}

/// One posting of a series as watch mode tracks it, from first sight to its review.
public struct WatchSeriesRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Incomplete, waiting for its other parts or the settle time.
        case pending
        /// Ready, waiting for a free slot or the daily budget.
        case queued
        /// Being reviewed (a record left in this state by a stopped process is queued again).
        case running
        case reviewed
        /// Not reviewed on purpose: a filter, a resend, an identical re-post.
        case skipped
        /// The review failed as often as it may; it is not tried again.
        case failed
    }

    /// 0 until stored.
    public var id: Int64
    /// `SeriesIdentity.key`: the same for every revision of the series.
    public var seriesKey: String
    public var revision: Int
    /// SHA-256 of the series' changes, set when it is queued (see `WatchSeriesDetector`).
    public var contentHash: String?
    public var title: String
    public var state: State
    /// The Message-IDs of this posting's cover letter and patches.
    public var messageIDs: [String]
    public var firstSeenAt: Date
    public var updatedAt: Date
    /// Not to be started before this (a backoff after a failed attempt).
    public var notBefore: Date?
    public var attempts: Int
    /// What decided the state: why it was skipped, what failed, the missing slots.
    public var note: String?
    /// Where its drafts went.
    public var directory: String?

    public init(id: Int64 = 0, seriesKey: String, revision: Int, contentHash: String? = nil, title: String,
                state: State, messageIDs: [String], firstSeenAt: Date, updatedAt: Date, notBefore: Date? = nil,
                attempts: Int = 0, note: String? = nil, directory: String? = nil) {
        self.id = id
        self.seriesKey = seriesKey
        self.revision = revision
        self.contentHash = contentHash
        self.title = title
        self.state = state
        self.messageIDs = messageIDs
        self.firstSeenAt = firstSeenAt
        self.updatedAt = updatedAt
        self.notBefore = notBefore
        self.attempts = attempts
        self.note = note
        self.directory = directory
    }

    /// SHA-256 (hex) over `parts`, each ended by a NUL: the content hash of a posting.
    public static func contentHash(of parts: [String]) -> String {
        SHA256.hex(of: Data(parts.map { $0 + "\u{0}" }.joined().utf8))
    }
}

/// Watch mode's tables: a cursor per source, the messages seen, and the series tracked.
extension StateStore {
    static func registerWatchMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("watch") { db in
            try db.create(table: "watchCursor") { table in
                table.primaryKey("source", .text)
                table.column("uidValidity", .integer)
                table.column("lastUID", .integer)
                table.column("etag", .text)
                table.column("lastModified", .text)
                table.column("lastReadAt", .datetime)
            }
            try db.create(table: "watchMessage") { table in
                table.primaryKey("messageID", .text)
                table.column("source", .text).notNull()
                table.column("receivedAt", .datetime).notNull()
                table.column("raw", .blob)
            }
            try db.create(index: "watchMessageByDate", on: "watchMessage", columns: ["receivedAt"])
            try db.create(table: "watchSeries") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("seriesKey", .text).notNull()
                table.column("revision", .integer).notNull()
                table.column("contentHash", .text)
                table.column("title", .text).notNull()
                table.column("state", .text).notNull()
                table.column("messageIDs", .text).notNull()
                table.column("firstSeenAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
                table.column("notBefore", .datetime)
                table.column("attempts", .integer).notNull()
                table.column("note", .text)
                table.column("directory", .text)
            }
            try db.create(index: "watchSeriesByKey", on: "watchSeries", columns: ["seriesKey", "revision"])
            try db.create(index: "watchSeriesByHash", on: "watchSeries", columns: ["contentHash"])
            try db.create(index: "watchSeriesByState", on: "watchSeries", columns: ["state"])
            // One row per Message-ID of a tracked posting, to find the posting a message
            // belongs to.
            try db.create(table: "watchSeriesMessage") { table in
                table.primaryKey("messageID", .text)
                table.column("seriesID", .integer).notNull().references("watchSeries", onDelete: .cascade)
            }
        }
    }

    // MARK: cursors and messages

    public func watchCursor(source: String) throws -> WatchCursor? {
        try watchRead { db in
            try Row.fetchOne(db, sql: "SELECT * FROM watchCursor WHERE source = ?", arguments: [source]).map { row in
                WatchCursor(source: row["source"], uidValidity: (row["uidValidity"] as Int64?).map { UInt32(truncatingIfNeeded: $0) },
                            lastUID: (row["lastUID"] as Int64?).map { UInt32(truncatingIfNeeded: $0) }, etag: row["etag"],
                            lastModified: row["lastModified"], lastReadAt: row["lastReadAt"])
            }
        }
    }

    /// Stores what one read of a source brought, and where the next read starts, in one
    /// transaction. A message already known (by Message-ID) is left as it was. Returns the
    /// ids that were new.
    @discardableResult
    public func recordWatchRead(_ messages: [WatchMessage], cursor: WatchCursor) throws -> Set<String> {
        try watchWrite { db in
            var new = Set<String>()
            for message in messages {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO watchMessage (messageID, source, receivedAt, raw) VALUES (?, ?, ?, ?)
                    """, arguments: [message.messageID, message.source, message.receivedAt, message.raw])
                if db.changesCount > 0 { new.insert(message.messageID) }
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO watchCursor (source, uidValidity, lastUID, etag, lastModified, lastReadAt)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [cursor.source, cursor.uidValidity.map { Int64($0) }, cursor.lastUID.map { Int64($0) },
                                 cursor.etag, cursor.lastModified, cursor.lastReadAt])
            return new
        }
    }

    /// Which of `messageIDs` watch mode has seen before.
    public func knownWatchMessages(_ messageIDs: [String]) throws -> Set<String> {
        try watchRead { db in
            var known = Set<String>()
            // SQLite allows 32766 parameters per statement; batches stay far below.
            for batch in stride(from: 0, to: messageIDs.count, by: 500) {
                let ids = Array(messageIDs[batch..<min(batch + 500, messageIDs.count)])
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                known.formUnion(try String.fetchAll(db, sql: "SELECT messageID FROM watchMessage WHERE messageID IN (\(marks))",
                                                    arguments: StatementArguments(ids)))
            }
            return known
        }
    }

    /// The kept messages (those with their bytes) received at or after `date`, oldest first.
    public func keptWatchMessages(since date: Date) throws -> [WatchMessage] {
        try watchRead { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM watchMessage WHERE raw IS NOT NULL AND receivedAt >= ? ORDER BY receivedAt, rowid
                """, arguments: [date]).map { row in
                WatchMessage(messageID: row["messageID"], source: row["source"], receivedAt: row["receivedAt"],
                             raw: row["raw"])
            }
        }
    }

    /// The kept messages with these ids (those whose bytes are kept), in the order asked.
    public func watchMessages(_ messageIDs: [String]) throws -> [WatchMessage] {
        try watchRead { db in
            try messageIDs.compactMap { id in
                try Row.fetchOne(db, sql: "SELECT * FROM watchMessage WHERE messageID = ? AND raw IS NOT NULL",
                                 arguments: [id]).map { row in
                    WatchMessage(messageID: row["messageID"], source: row["source"], receivedAt: row["receivedAt"],
                                 raw: row["raw"])
                }
            }
        }
    }

    /// Forgets the bytes of messages received before `keepBytesAfter` and every trace of
    /// those received before `keepIDsAfter`; returns how many rows went.
    @discardableResult
    public func pruneWatchMessages(keepBytesAfter: Date, keepIDsAfter: Date) throws -> Int {
        try watchWrite { db in
            try db.execute(sql: "UPDATE watchMessage SET raw = NULL WHERE raw IS NOT NULL AND receivedAt < ?",
                           arguments: [keepBytesAfter])
            try db.execute(sql: "DELETE FROM watchMessage WHERE receivedAt < ?", arguments: [keepIDsAfter])
            return db.changesCount
        }
    }

    // MARK: series

    /// The postings holding any of `messageIDs`.
    public func watchSeries(holdingAnyOf messageIDs: [String]) throws -> [WatchSeriesRecord] {
        try watchRead { db in
            var ids = Set<Int64>()
            for batch in stride(from: 0, to: messageIDs.count, by: 500) {
                let slice = Array(messageIDs[batch..<min(batch + 500, messageIDs.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                ids.formUnion(try Int64.fetchAll(db, sql: "SELECT seriesID FROM watchSeriesMessage WHERE messageID IN (\(marks))",
                                                 arguments: StatementArguments(slice)))
            }
            return try ids.sorted().compactMap { try Self.series(db, id: $0) }
        }
    }

    /// Every posting of this series and revision, oldest first.
    public func watchSeries(seriesKey: String, revision: Int) throws -> [WatchSeriesRecord] {
        try watchRead { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM watchSeries WHERE seriesKey = ? AND revision = ? ORDER BY id",
                               arguments: [seriesKey, revision]).compactMap { try Self.series(db, id: $0) }
        }
    }

    /// A posting queued, being reviewed or reviewed with these exact changes, if any.
    public func watchSeries(contentHash: String) throws -> WatchSeriesRecord? {
        try watchRead { db in
            try Int64.fetchOne(db, sql: """
                SELECT id FROM watchSeries WHERE contentHash = ? AND state IN ('queued', 'running', 'reviewed')
                ORDER BY id LIMIT 1
                """, arguments: [contentHash]).flatMap { try Self.series(db, id: $0) }
        }
    }

    /// Postings in any of `states`, oldest first.
    public func watchSeries(in states: [WatchSeriesRecord.State]) throws -> [WatchSeriesRecord] {
        try watchRead { db in
            let marks = Array(repeating: "?", count: states.count).joined(separator: ",")
            return try Int64.fetchAll(db, sql: "SELECT id FROM watchSeries WHERE state IN (\(marks)) ORDER BY id",
                                      arguments: StatementArguments(states.map(\.rawValue)))
                .compactMap { try Self.series(db, id: $0) }
        }
    }

    /// Inserts (id 0) or updates a posting, with its message index; returns its id.
    @discardableResult
    public func saveWatchSeries(_ record: WatchSeriesRecord) throws -> Int64 {
        try watchWrite { db in
            let arguments: [(any DatabaseValueConvertible)?] = [
                record.seriesKey, record.revision, record.contentHash, record.title, record.state.rawValue,
                record.messageIDs.joined(separator: "\n"), record.firstSeenAt, record.updatedAt, record.notBefore,
                record.attempts, record.note, record.directory,
            ]
            var id = record.id
            if id == 0 {
                try db.execute(sql: """
                    INSERT INTO watchSeries (seriesKey, revision, contentHash, title, state, messageIDs, firstSeenAt,
                        updatedAt, notBefore, attempts, note, directory) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: StatementArguments(arguments))
                id = db.lastInsertedRowID
            } else {
                try db.execute(sql: """
                    UPDATE watchSeries SET seriesKey = ?, revision = ?, contentHash = ?, title = ?, state = ?,
                        messageIDs = ?, firstSeenAt = ?, updatedAt = ?, notBefore = ?, attempts = ?, note = ?,
                        directory = ? WHERE id = ?
                    """, arguments: StatementArguments(arguments + [id]))
            }
            for messageID in record.messageIDs {
                try db.execute(sql: "INSERT OR REPLACE INTO watchSeriesMessage (messageID, seriesID) VALUES (?, ?)",
                               arguments: [messageID, id])
            }
            return id
        }
    }

    /// Postings a stopped process left `running` go back to `queued`; returns how many.
    @discardableResult
    public func requeueInterruptedWatchSeries(at date: Date = Date()) throws -> Int {
        try watchWrite { db in
            try db.execute(sql: "UPDATE watchSeries SET state = 'queued', updatedAt = ? WHERE state = 'running'",
                           arguments: [date])
            return db.changesCount
        }
    }

    /// Dollars spent by runs that started at or after `date` (watch's daily budget). Runs
    /// without a price count nothing; `unpriced` says how many there were.
    public func spending(since date: Date) throws -> (dollars: Double, unpriced: Int) {
        try watchRead { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(cost), 0) AS dollars, SUM(CASE WHEN cost IS NULL THEN 1 ELSE 0 END) AS unpriced
                FROM runUsage WHERE startedAt >= ?
                """, arguments: [date])
            return (row?["dollars"] ?? 0, row?["unpriced"] ?? 0)
        }
    }

    private static func series(_ db: Database, id: Int64) throws -> WatchSeriesRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM watchSeries WHERE id = ?", arguments: [id]).map { row in
            let ids: String = row["messageIDs"]
            return WatchSeriesRecord(
                id: row["id"], seriesKey: row["seriesKey"], revision: row["revision"], contentHash: row["contentHash"],
                title: row["title"], state: WatchSeriesRecord.State(rawValue: row["state"]) ?? .failed,
                messageIDs: ids.split(separator: "\n").map(String.init), firstSeenAt: row["firstSeenAt"],
                updatedAt: row["updatedAt"], notBefore: row["notBefore"], attempts: row["attempts"], note: row["note"],
                directory: row["directory"])
        }
    }

    /// One short write transaction, tried again on a lock (watch shares the file with
    /// `review` runs).
    private func watchWrite<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try Self.retryingBusy { try database.write(body) } } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }

    private func watchRead<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try Self.retryingBusy { try database.read(body) } } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }
}
