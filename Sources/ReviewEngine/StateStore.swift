import CurlKit
import Foundation
import GRDB

/// What a run cost and how it ended, kept per run.
public struct RunRecord: Sendable, Hashable {
    public var seriesKey: String
    public var revision: Int
    public var model: String
    public var startedAt: Date
    public var usage: TokenUsage
    /// Estimated dollars; nil without a price for the model.
    public var cost: Double?
    public var tasksReviewed: Int
    public var tasksFailed: Int
    public var tasksNotReviewed: Int

    public init(seriesKey: String, revision: Int, model: String, startedAt: Date, usage: TokenUsage, cost: Double?,
                tasksReviewed: Int, tasksFailed: Int, tasksNotReviewed: Int) {
        self.seriesKey = seriesKey
        self.revision = revision
        self.model = model
        self.startedAt = startedAt
        self.usage = usage
        self.cost = cost
        self.tasksReviewed = tasksReviewed
        self.tasksFailed = tasksFailed
        self.tasksNotReviewed = tasksNotReviewed
    }
}

/// The engine's SQLite state: a response cache keyed by request hash, finding fingerprints
/// per series and revision, and usage per run.
///
/// Several runs share one file (three reviews of a series at once, watch mode later), in
/// one process or several. So the database is a `DatabasePool`: WAL journal, which lets
/// readers go on while one connection writes (a `DatabaseQueue` would serialise the
/// runner's concurrent cache lookups behind every write), and writes that are short
/// IMMEDIATE transactions. A writer that finds the file locked waits (`busyTimeout`),
/// and a write that still meets a lock is tried again a few times before it fails.
public final class StateStore: Sendable {
    let database: DatabasePool
    public let path: String

    /// How long one statement waits for another connection's lock. Writes here take
    /// milliseconds; ten seconds covers a slow disk and a checkpoint with room to spare.
    static let busyTimeout: TimeInterval = 10
    /// Attempts for one write transaction when the lock wait still ends in SQLITE_BUSY.
    static let writeAttempts = 3
    /// How often a run that lost the race to create a new database looks again. Another
    /// run's whole migration list takes well under a second; ten looks wait up to 11 s in
    /// all, enough for a loaded machine, before the error is the user's to see.
    static let migrationAttempts = 10
    /// The largest answer kept in the response cache: the transport refuses larger ones
    /// already; this keeps any other caller from filling the database.
    public static let maxCachedResponseBytes = CurlMessagesTransport.maxAnswerBytes

    /// Opens (creating the directory and file when needed) and migrates the database.
    public init(url: URL) throws {
        path = url.path
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(Self.busyTimeout)
            database = try Self.retryingBusy { try DatabasePool(path: url.path, configuration: configuration) }
            try Self.migrate(database)
        } catch {
            throw ReviewEngineError.stateStore(url.path, error)
        }
    }

    /// Brings the schema up to date. GRDB reads which migrations ran before it takes the
    /// write lock, so two runs opening a new file at once can both start the same one. The
    /// one that loses may find the other still part-way through the list (each migration
    /// is its own transaction), so it waits and reads the list again rather than failing.
    static func migrate(_ database: DatabasePool) throws {
        var attempt = 1
        while true {
            if try database.read({ try migrator.hasCompletedMigrations($0) }) { return }
            do {
                try retryingBusy { try migrator.migrate(database) }
                return
            } catch {
                if try database.read({ try migrator.hasCompletedMigrations($0) }) { return }
                guard attempt < migrationAttempts else { throw error }
                attempt += 1
                usleep(useconds_t(200_000 * attempt))
            }
        }
    }

    /// Runs `body` again when SQLite reports the database busy or locked after its own
    /// wait: a burst of concurrent runs is slower, never an error.
    static func retryingBusy<T>(_ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as DatabaseError
                where attempt < writeAttempts && (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) {
                attempt += 1
                usleep(useconds_t(50_000 * attempt))
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "responseCache") { table in
                table.primaryKey("requestHash", .text)
                table.column("model", .text).notNull()
                table.column("body", .blob).notNull()
                table.column("storedAt", .datetime).notNull()
            }
            try db.create(table: "findingFingerprint") { table in
                table.column("seriesKey", .text).notNull()
                table.column("revision", .integer).notNull()
                table.column("fingerprint", .text).notNull()
                table.column("file", .text).notNull()
                table.column("recordedAt", .datetime).notNull()
                table.primaryKey(["seriesKey", "revision", "fingerprint"])
            }
            try db.create(table: "runUsage") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("seriesKey", .text).notNull()
                table.column("revision", .integer).notNull()
                table.column("model", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("inputTokens", .integer).notNull()
                table.column("cacheWriteTokens", .integer).notNull()
                table.column("cacheReadTokens", .integer).notNull()
                table.column("outputTokens", .integer).notNull()
                table.column("cost", .double)
                table.column("tasksReviewed", .integer).notNull()
                table.column("tasksFailed", .integer).notNull()
                table.column("tasksNotReviewed", .integer).notNull()
            }
        }
        registerSentMailMigration(&migrator)
        registerFindingTextMigration(&migrator)
        registerWatchMigration(&migrator)
        registerEvalMigration(&migrator)
        registerFeedbackMigration(&migrator)
        registerLessonsMigration(&migrator)
        return migrator
    }

    /// One short write transaction, tried again on a lock.
    private func access<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try Self.retryingBusy { try database.write(body) } } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try Self.retryingBusy { try database.read(body) } } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }

    /// The stored answer to a request with this hash, if any.
    public func cachedResponse(requestHash: String) throws -> Data? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM responseCache WHERE requestHash = ?", arguments: [requestHash])
        }
    }

    /// Stores a complete, decoded answer; a later identical request is served from here.
    /// An answer over `maxCachedResponseBytes` is refused.
    public func storeResponse(requestHash: String, model: String, body: Data, at date: Date = Date()) throws {
        guard body.count <= Self.maxCachedResponseBytes else {
            throw ReviewEngineError.stateStore(path, "an answer of \(body.count) bytes is over the cache's limit of \(Self.maxCachedResponseBytes); not cached")
        }
        try access { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO responseCache (requestHash, model, body, storedAt) VALUES (?, ?, ?, ?)
                """, arguments: [requestHash, model, body, date])
        }
    }

    /// Fingerprints recorded for the series on revisions other than `revision`.
    public func fingerprints(seriesKey: String, otherThan revision: Int) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT fingerprint FROM findingFingerprint WHERE seriesKey = ? AND revision != ?
                """, arguments: [seriesKey, revision]))
        }
    }

    /// Remembers the findings reported for one revision.
    public func recordFingerprints(_ findings: [(fingerprint: String, file: String)], seriesKey: String,
                                   revision: Int, at date: Date = Date()) throws {
        try access { db in
            for finding in findings {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO findingFingerprint (seriesKey, revision, fingerprint, file, recordedAt)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [seriesKey, revision, finding.fingerprint, finding.file, date])
            }
        }
    }

    /// Appends a run's usage; returns its id.
    @discardableResult
    public func recordRun(_ run: RunRecord) throws -> Int64 {
        try access { db in
            try db.execute(sql: """
                INSERT INTO runUsage (seriesKey, revision, model, startedAt, inputTokens, cacheWriteTokens,
                    cacheReadTokens, outputTokens, cost, tasksReviewed, tasksFailed, tasksNotReviewed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.seriesKey, run.revision, run.model, run.startedAt, run.usage.input,
                                 run.usage.cacheWrite, run.usage.cacheRead, run.usage.output, run.cost,
                                 run.tasksReviewed, run.tasksFailed, run.tasksNotReviewed])
            return db.lastInsertedRowID
        }
    }

    /// All recorded runs, oldest first.
    public func runs() throws -> [RunRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runUsage ORDER BY id").map { row in
                RunRecord(seriesKey: row["seriesKey"], revision: row["revision"], model: row["model"],
                          startedAt: row["startedAt"],
                          usage: TokenUsage(input: row["inputTokens"], cacheWrite: row["cacheWriteTokens"],
                                            cacheRead: row["cacheReadTokens"], output: row["outputTokens"]),
                          cost: row["cost"], tasksReviewed: row["tasksReviewed"], tasksFailed: row["tasksFailed"],
                          tasksNotReviewed: row["tasksNotReviewed"])
            }
        }
    }
}
