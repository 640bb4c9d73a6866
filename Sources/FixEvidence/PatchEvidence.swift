import Foundation
import MboxParser

/// One of our own findings on an earlier revision, from the state database.
public struct PreviousFinding: Sendable, Hashable, Codable {
    /// `v1-F1`: for the model and the report.
    public var id: String
    public var revision: Int
    public var file: String
    public var anchor: String
    public var category: String
    public var severity: String
    public var comment: String
    public var fingerprint: String

    public init(id: String = "", revision: Int, file: String, anchor: String, category: String, severity: String,
                comment: String, fingerprint: String) {
        self.id = id
        self.revision = revision
        self.file = file
        self.anchor = anchor
        self.category = category
        self.severity = severity
        self.comment = comment
        self.fingerprint = fingerprint
    }
}

/// What a patch is checked against beyond its diff: the syzbot bugs it says it fixes, the
/// deterministic checks, the human review of earlier revisions, our own earlier findings,
/// and what AI reviewers already sent. Gathered before the review, carried on the patch,
/// shown to the model in the patch's context (fenced), and reported.
public struct PatchEvidence: Sendable, Hashable {
    public var syzbot: [SyzbotBugEvidence]
    public var checks: [FixCheck]
    /// Human comments on earlier revisions of this patch, oldest revision first.
    public var earlierComments: [ReviewComment]
    /// Our own findings on earlier revisions.
    public var previousFindings: [PreviousFinding]
    /// AI reviewers' comments on this patch, this revision's thread included.
    public var botComments: [ReviewComment]
    /// What could not be had (a dashboard down, a thread not found), for the report.
    public var notes: [String]

    public init(syzbot: [SyzbotBugEvidence] = [], checks: [FixCheck] = [], earlierComments: [ReviewComment] = [],
                previousFindings: [PreviousFinding] = [], botComments: [ReviewComment] = [], notes: [String] = []) {
        self.syzbot = syzbot
        self.checks = checks
        self.earlierComments = earlierComments
        self.previousFindings = previousFindings
        self.botComments = botComments
        self.notes = notes
    }

    public var isEmpty: Bool {
        syzbot.isEmpty && checks.isEmpty && earlierComments.isEmpty && previousFindings.isEmpty
            && botComments.isEmpty && notes.isEmpty
    }

    /// Checks that failed: each becomes a `commit-message` finding.
    public var failedChecks: [FixCheck] { checks.filter { $0.outcome == .failed } }

    /// Numbers the comments and findings `v<rev>-C<n>` / `v<rev>-B<n>` / `v<rev>-F<n>` in
    /// order, so the model and the report name them the same way.
    public mutating func assignIDs() {
        func number(_ items: inout [ReviewComment], letter: String) {
            var counters: [Int: Int] = [:]
            for index in items.indices {
                counters[items[index].revision, default: 0] += 1
                items[index].id = "v\(items[index].revision)-\(letter)\(counters[items[index].revision]!)"
            }
        }
        number(&earlierComments, letter: "C")
        number(&botComments, letter: "B")
        var counters: [Int: Int] = [:]
        for index in previousFindings.indices {
            counters[previousFindings[index].revision, default: 0] += 1
            previousFindings[index].id = "v\(previousFindings[index].revision)-F\(counters[previousFindings[index].revision]!)"
        }
    }
}
