import Foundation
import GRDB

/// A short note from the maintainer about what not to report, kept in the state database
/// and added to the system prompt of reviews whose guides match its scope.
public struct Lesson: Sendable, Hashable {
    public var id: Int64
    /// Guide or pattern names (`watchdog`, `devm-mixing`) the lesson applies to, or `*`
    /// for every review.
    public var scope: [String]
    /// The maintainer's words.
    public var text: String
    /// The category of the finding that taught it, if one did.
    public var category: String?
    /// The fingerprint of the finding that taught it, if one did.
    public var fingerprint: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64 = 0, scope: [String], text: String, category: String? = nil, fingerprint: String? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.scope = scope
        self.text = text
        self.category = category
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the lesson applies to a review whose guides are `names`: every file of its
    /// scope must be in force, as it was for the finding it was learnt from. A lesson
    /// learnt on a watchdog driver (scope `driver-core watchdog`) then reaches the next
    /// watchdog patch, not every driver patch `driver-core` also matches.
    public func applies(to names: Set<String>) -> Bool {
        scope.contains("*") || (!scope.isEmpty && scope.allSatisfy { names.contains($0) })
    }
}

extension StateStore {
    static func registerLessonsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("lessons") { db in
            try db.create(table: "lesson") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("scope", .text).notNull()
                table.column("text", .text).notNull()
                table.column("category", .text)
                table.column("fingerprint", .text)
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
        }
    }

    private func lessonAccess<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.write(body) } catch { throw ReviewEngineError.stateStore(path, error) }
    }

    /// Adds a lesson; returns its id.
    @discardableResult
    public func addLesson(_ lesson: Lesson) throws -> Int64 {
        try lessonAccess { db in
            try db.execute(sql: """
                INSERT INTO lesson (scope, text, category, fingerprint, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [lesson.scope.joined(separator: " "), lesson.text, lesson.category, lesson.fingerprint,
                                 lesson.createdAt, lesson.updatedAt])
            return db.lastInsertedRowID
        }
    }

    /// Every lesson, newest first.
    public func lessons() throws -> [Lesson] {
        try lessonAccess { db in
            try Row.fetchAll(db, sql: "SELECT * FROM lesson ORDER BY updatedAt DESC, id DESC").map { row in
                let scope: String = row["scope"]
                return Lesson(id: row["id"], scope: scope.split(separator: " ").map(String.init), text: row["text"],
                              category: row["category"], fingerprint: row["fingerprint"],
                              createdAt: row["createdAt"], updatedAt: row["updatedAt"])
            }
        }
    }

    /// Replaces a lesson's scope and text; false when there is no such lesson.
    @discardableResult
    public func updateLesson(id: Int64, scope: [String], text: String, at date: Date = Date()) throws -> Bool {
        try lessonAccess { db in
            try db.execute(sql: "UPDATE lesson SET scope = ?, text = ?, updatedAt = ? WHERE id = ?",
                           arguments: [scope.joined(separator: " "), text, date, id])
            return db.changesCount > 0
        }
    }

    /// Removes a lesson; false when there is no such lesson.
    @discardableResult
    public func removeLesson(id: Int64) throws -> Bool {
        try lessonAccess { db in
            try db.execute(sql: "DELETE FROM lesson WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
