import Foundation
import GRDB

/// A finding as a later revision's review needs it: the fingerprints table says only that
/// a finding existed; this keeps what it said, so the next revision's review can show the
/// model (and the report) our earlier comments.
public struct StoredFinding: Sendable, Hashable {
    public var revision: Int
    public var patchTitle: String
    public var file: String
    public var anchor: String
    public var category: String
    public var severity: String
    public var comment: String
    public var fingerprint: String

    public init(revision: Int, patchTitle: String, file: String, anchor: String, category: String,
                severity: String, comment: String, fingerprint: String) {
        self.revision = revision
        self.patchTitle = patchTitle
        self.file = file
        self.anchor = anchor
        self.category = category
        self.severity = severity
        self.comment = comment
        self.fingerprint = fingerprint
    }
}

extension StateStore {
    /// Comments longer than this are cut when stored: a review comment is a few lines; the
    /// limit keeps a runaway answer from filling the database.
    static let storedCommentBytes = 4_000

    static func registerFindingTextMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("finding-text") { db in
            try db.create(table: "findingText") { table in
                table.column("seriesKey", .text).notNull()
                table.column("revision", .integer).notNull()
                table.column("fingerprint", .text).notNull()
                table.column("patchTitle", .text).notNull()
                table.column("file", .text).notNull()
                table.column("anchor", .text).notNull()
                table.column("category", .text).notNull()
                table.column("severity", .text).notNull()
                table.column("comment", .text).notNull()
                table.column("recordedAt", .datetime).notNull()
                table.primaryKey(["seriesKey", "revision", "fingerprint"])
            }
        }
    }

    /// Remembers what the findings of one revision said (their fingerprints are recorded
    /// beside them by `recordFingerprints`).
    public func recordFindingTexts(_ findings: [StoredFinding], seriesKey: String, at date: Date = Date()) throws {
        do {
            try database.write { db in
                for finding in findings {
                    let comment = finding.comment.utf8.count <= Self.storedCommentBytes ? finding.comment
                        : String(decoding: finding.comment.utf8.prefix(Self.storedCommentBytes), as: UTF8.self)
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO findingText (seriesKey, revision, fingerprint, patchTitle, file, anchor,
                            category, severity, comment, recordedAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [seriesKey, finding.revision, finding.fingerprint, finding.patchTitle,
                                         finding.file, finding.anchor, finding.category, finding.severity, comment, date])
                }
            }
        } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }

    /// What the findings of the series' revisions before `revision` said, oldest first.
    public func findingTexts(seriesKey: String, before revision: Int) throws -> [StoredFinding] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM findingText WHERE seriesKey = ? AND revision < ? ORDER BY revision, recordedAt, rowid
                    """, arguments: [seriesKey, revision]).map { row in
                    StoredFinding(revision: row["revision"], patchTitle: row["patchTitle"], file: row["file"],
                                  anchor: row["anchor"], category: row["category"], severity: row["severity"],
                                  comment: row["comment"], fingerprint: row["fingerprint"])
                }
            }
        } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }
}

extension ReviewReport {
    /// The kept findings as the state database keeps their text.
    var storedFindings: [StoredFinding] {
        patches.flatMap { patch in
            patch.findings.map { finding in
                StoredFinding(revision: identity.revision, patchTitle: patch.title, file: finding.file,
                              anchor: finding.commitMessageLine ?? finding.line.text,
                              category: finding.finding.category.rawValue, severity: finding.finding.severity.rawValue,
                              comment: finding.finding.comment, fingerprint: finding.fingerprint.hex)
            }
        }
    }
}
