import Foundation
import GRDB

/// A finding as the review kept it, with what the feedback needs later: which draft
/// carried it, and which guides were in force for its patch.
public struct KeptFinding: Sendable, Hashable, Codable {
    public var fingerprint: String
    public var seriesKey: String
    public var revision: Int
    public var patchTitle: String
    /// The patch's Message-ID, without angle brackets; nil for a patch read without one.
    public var patchMessageID: String?
    /// The reply that carried it, without angle brackets; nil when no draft did
    /// (unverified, or no Message-ID to reply to).
    public var draftMessageID: String?
    public var file: String
    public var anchor: String
    public var category: String
    public var severity: String
    /// The comment as the model wrote it (the draft wraps it at 78 columns).
    public var comment: String
    /// The subsystem and mode guides matched for the patch (`prompts match` names).
    public var guides: [String]
    /// The pattern files matched for the patch.
    public var patterns: [String]

    public init(fingerprint: String, seriesKey: String, revision: Int, patchTitle: String, patchMessageID: String?,
                draftMessageID: String?, file: String, anchor: String, category: String, severity: String,
                comment: String, guides: [String], patterns: [String]) {
        self.fingerprint = fingerprint
        self.seriesKey = seriesKey
        self.revision = revision
        self.patchTitle = patchTitle
        self.patchMessageID = patchMessageID
        self.draftMessageID = draftMessageID
        self.file = file
        self.anchor = anchor
        self.category = category
        self.severity = severity
        self.comment = comment
        self.guides = guides
        self.patterns = patterns
    }
}

/// What the maintainer did with a finding.
public enum FeedbackVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sent as drafted.
    case accepted
    /// Sent reworded.
    case edited
    /// Deleted from the reply, or rejected by hand.
    case rejected
}

/// NIPA's labels for an AI review comment, given by hand.
public enum FeedbackLabel: String, Sendable, Hashable, Codable, CaseIterable {
    case emailed
    case falsePositive = "false-positive"
    case nitpick
}

/// Where a verdict came from.
public enum FeedbackSource: String, Sendable, Hashable, Codable {
    /// The edited `.eml` in the output directory.
    case draftFile = "eml"
    /// The Sent folder over IMAP.
    case imap
    /// The reply on lore.
    case lore
    /// `feedback --accept/--reject`.
    case hand
}

public struct FindingFeedback: Sendable, Hashable {
    public var fingerprint: String
    public var verdict: FeedbackVerdict
    public var label: FeedbackLabel?
    public var why: String?
    public var source: FeedbackSource
    /// The draft the verdict is about; nil for a verdict given by hand.
    public var draftMessageID: String?
    /// How much of the comment survived in what was sent (1 for accepted).
    public var similarity: Double?
    /// What was sent in its place, for an edited finding.
    public var sentText: String?
    public var recordedAt: Date

    public init(fingerprint: String, verdict: FeedbackVerdict, label: FeedbackLabel? = nil, why: String? = nil,
                source: FeedbackSource, draftMessageID: String? = nil, similarity: Double? = nil,
                sentText: String? = nil, recordedAt: Date = Date()) {
        self.fingerprint = fingerprint
        self.verdict = verdict
        self.label = label
        self.why = why
        self.source = source
        self.draftMessageID = draftMessageID
        self.similarity = similarity
        self.sentText = sentText
        self.recordedAt = recordedAt
    }
}

/// A reply on the list that disputes one of our comments.
public struct FindingDispute: Sendable, Hashable {
    public var fingerprint: String
    public var seriesKey: String
    public var revision: Int
    public var patchTitle: String
    /// The reply, without angle brackets.
    public var replyMessageID: String
    /// `Name <email>` of who disputed it.
    public var replyAuthor: String
    /// What they wrote under our comment (bounded).
    public var replyText: String
    /// Our comment as we sent it.
    public var comment: String
    public var recordedAt: Date

    public init(fingerprint: String, seriesKey: String, revision: Int, patchTitle: String, replyMessageID: String,
                replyAuthor: String, replyText: String, comment: String, recordedAt: Date = Date()) {
        self.fingerprint = fingerprint
        self.seriesKey = seriesKey
        self.revision = revision
        self.patchTitle = patchTitle
        self.replyMessageID = replyMessageID
        self.replyAuthor = replyAuthor
        self.replyText = replyText
        self.comment = comment
        self.recordedAt = recordedAt
    }
}

/// Learning from the maintainer: the findings each review kept (and which draft carried
/// them), the verdicts on them, and the disputes from the list.
extension StateStore {
    /// Stored texts are cut here: a review comment or a reply paragraph is a few lines.
    static let feedbackTextBytes = 4_000

    static func registerFeedbackMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("feedback") { db in
            try db.create(table: "keptFinding") { table in
                table.column("seriesKey", .text).notNull()
                table.column("revision", .integer).notNull()
                table.column("fingerprint", .text).notNull()
                table.column("patchTitle", .text).notNull()
                table.column("patchMessageID", .text)
                table.column("draftMessageID", .text)
                table.column("file", .text).notNull()
                table.column("anchor", .text).notNull()
                table.column("category", .text).notNull()
                table.column("severity", .text).notNull()
                table.column("comment", .text).notNull()
                table.column("guides", .text).notNull()
                table.column("patterns", .text).notNull()
                table.column("recordedAt", .datetime).notNull()
                table.primaryKey(["seriesKey", "revision", "fingerprint"])
            }
            try db.create(index: "keptFindingByDraft", on: "keptFinding", columns: ["draftMessageID"])
            try db.create(index: "keptFindingByFingerprint", on: "keptFinding", columns: ["fingerprint"])
            try db.create(table: "findingVerdict") { table in
                table.column("fingerprint", .text).notNull()
                // '' for a verdict given by hand: one per fingerprint, the latest.
                table.column("draftMessageID", .text).notNull()
                table.column("verdict", .text).notNull()
                table.column("label", .text)
                table.column("why", .text)
                table.column("source", .text).notNull()
                table.column("similarity", .double)
                table.column("sentText", .text)
                table.column("recordedAt", .datetime).notNull()
                table.primaryKey(["fingerprint", "draftMessageID"])
            }
            try db.create(table: "findingDispute") { table in
                table.column("fingerprint", .text).notNull()
                table.column("seriesKey", .text).notNull()
                table.column("revision", .integer).notNull()
                table.column("patchTitle", .text).notNull()
                table.column("replyMessageID", .text).notNull()
                table.column("replyAuthor", .text).notNull()
                table.column("replyText", .text).notNull()
                table.column("comment", .text).notNull()
                table.column("recordedAt", .datetime).notNull()
                table.primaryKey(["fingerprint", "replyMessageID"])
            }
        }
    }

    static func bounded(_ text: String) -> String {
        text.utf8.count <= feedbackTextBytes ? text
            : String(decoding: text.utf8.prefix(feedbackTextBytes), as: UTF8.self) + " [cut]"
    }

    private func feedbackAccess<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.write(body) } catch { throw ReviewEngineError.stateStore(path, error) }
    }

    /// Remembers the findings a review kept; a review of the same revision again replaces them.
    public func recordKeptFindings(_ findings: [KeptFinding], at date: Date = Date()) throws {
        try feedbackAccess { db in
            for f in findings {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO keptFinding (seriesKey, revision, fingerprint, patchTitle, patchMessageID,
                        draftMessageID, file, anchor, category, severity, comment, guides, patterns, recordedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.seriesKey, f.revision, f.fingerprint, f.patchTitle, f.patchMessageID,
                                     f.draftMessageID, f.file, Self.bounded(f.anchor), f.category, f.severity,
                                     Self.bounded(f.comment), f.guides.joined(separator: " "),
                                     f.patterns.joined(separator: " "), date])
            }
        }
    }

    /// The findings a draft carried, in the order they were recorded.
    public func keptFindings(draftMessageID: String) throws -> [KeptFinding] {
        try feedbackAccess { db in
            try Row.fetchAll(db, sql: "SELECT * FROM keptFinding WHERE draftMessageID = ? ORDER BY rowid",
                             arguments: [draftMessageID]).map(Self.keptFinding)
        }
    }

    /// The findings kept for a patch (by its Message-ID) in its newest review.
    public func keptFindings(patchMessageID: String) throws -> [KeptFinding] {
        try feedbackAccess { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM keptFinding WHERE patchMessageID = ? AND recordedAt = (
                    SELECT max(recordedAt) FROM keptFinding WHERE patchMessageID = ?) ORDER BY rowid
                """, arguments: [patchMessageID, patchMessageID]).map(Self.keptFinding)
        }
    }

    /// Every record of a fingerprint, newest first (the same code may have been reviewed
    /// in several revisions).
    public func keptFindings(fingerprint: String) throws -> [KeptFinding] {
        try feedbackAccess { db in
            try Row.fetchAll(db, sql: "SELECT * FROM keptFinding WHERE fingerprint = ? ORDER BY recordedAt DESC, rowid DESC",
                             arguments: [fingerprint]).map(Self.keptFinding)
        }
    }

    /// The fingerprints that start with `prefix` (a user may type the first hex digits).
    public func fingerprints(startingWith prefix: String) throws -> [String] {
        try feedbackAccess { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT fingerprint FROM keptFinding WHERE substr(fingerprint, 1, ?) = ? ORDER BY fingerprint
                """, arguments: [prefix.count, prefix])
        }
    }

    private static func keptFinding(_ row: Row) -> KeptFinding {
        func list(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }
        return KeptFinding(fingerprint: row["fingerprint"], seriesKey: row["seriesKey"], revision: row["revision"],
                           patchTitle: row["patchTitle"], patchMessageID: row["patchMessageID"],
                           draftMessageID: row["draftMessageID"], file: row["file"], anchor: row["anchor"],
                           category: row["category"], severity: row["severity"], comment: row["comment"],
                           guides: list(row["guides"]), patterns: list(row["patterns"]))
    }

    /// Records a verdict; one per fingerprint and draft (one per fingerprint by hand), the
    /// latest replacing the earlier.
    public func recordFeedback(_ feedback: FindingFeedback) throws {
        try feedbackAccess { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO findingVerdict (fingerprint, draftMessageID, verdict, label, why, source,
                    similarity, sentText, recordedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [feedback.fingerprint, feedback.draftMessageID ?? "", feedback.verdict.rawValue,
                                 feedback.label?.rawValue, feedback.why.map(Self.bounded), feedback.source.rawValue,
                                 feedback.similarity, feedback.sentText.map(Self.bounded), feedback.recordedAt])
        }
    }

    /// Every verdict recorded, oldest first.
    public func feedback() throws -> [FindingFeedback] {
        try feedbackAccess { db in
            try Row.fetchAll(db, sql: "SELECT * FROM findingVerdict ORDER BY recordedAt, rowid").map { row in
                let draft: String = row["draftMessageID"]
                return FindingFeedback(
                    fingerprint: row["fingerprint"], verdict: FeedbackVerdict(rawValue: row["verdict"]) ?? .rejected,
                    label: (row["label"] as String?).flatMap(FeedbackLabel.init(rawValue:)), why: row["why"],
                    source: FeedbackSource(rawValue: row["source"]) ?? .hand, draftMessageID: draft.isEmpty ? nil : draft,
                    similarity: row["similarity"], sentText: row["sentText"], recordedAt: row["recordedAt"])
            }
        }
    }

    /// Fingerprints whose latest verdict is `rejected`: the selection drops them wherever
    /// the same code comes up again.
    public func rejectedFingerprints() throws -> Set<String> {
        var latest: [String: FeedbackVerdict] = [:]
        for item in try feedback() { latest[item.fingerprint] = item.verdict }
        return Set(latest.filter { $0.value == .rejected }.keys)
    }

    /// Records a dispute; the same reply about the same finding once.
    public func recordDispute(_ dispute: FindingDispute) throws {
        try feedbackAccess { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO findingDispute (fingerprint, seriesKey, revision, patchTitle, replyMessageID,
                    replyAuthor, replyText, comment, recordedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [dispute.fingerprint, dispute.seriesKey, dispute.revision, dispute.patchTitle,
                                 dispute.replyMessageID, dispute.replyAuthor, Self.bounded(dispute.replyText),
                                 Self.bounded(dispute.comment), dispute.recordedAt])
        }
    }

    /// The disputes on the series' revisions before `revision`, oldest first.
    public func disputes(seriesKey: String, before revision: Int) throws -> [FindingDispute] {
        try feedbackAccess { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM findingDispute WHERE seriesKey = ? AND revision < ? ORDER BY revision, recordedAt, rowid
                """, arguments: [seriesKey, revision]).map { row in
                FindingDispute(fingerprint: row["fingerprint"], seriesKey: row["seriesKey"], revision: row["revision"],
                               patchTitle: row["patchTitle"], replyMessageID: row["replyMessageID"],
                               replyAuthor: row["replyAuthor"], replyText: row["replyText"], comment: row["comment"],
                               recordedAt: row["recordedAt"])
            }
        }
    }
}
