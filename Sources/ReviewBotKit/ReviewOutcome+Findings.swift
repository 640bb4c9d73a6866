import FixEvidence
import Foundation
import MboxParser
import ReviewEngine

/// `findings.json`: what a script or a later run needs, one record per patch.
struct FindingsDocument: Encodable {
    struct Drafts: Encodable {
        var reviewInline: String
        var mail: String
    }

    struct Item: Encodable {
        var file: String
        var anchor: String
        var category: String
        var severity: String
        var comment: String
        var evidence: String?
        var fingerprint: String
        /// confirmed, uncertain, unverified (verification off or failed).
        var verdict: String
        var verdictReason: String?
        /// Whether the patch's draft carries it (unverified findings only when configured).
        var drafted: Bool
        /// Set for a finding a deterministic check wrote without a model call (its check).
        var deterministicCheck: String?
    }

    struct Dropped: Encodable {
        var file: String
        var anchor: String
        var category: String
        var reason: String
    }

    struct Task: Encodable {
        var id: String
        var status: String
        var reason: String?
        var rawAnswer: String?
    }

    struct PatchRecord: Encodable {
        var index: Int
        var messageId: String
        var subject: String
        var drafts: Drafts?
        var findings: [Item]
        var dropped: [Dropped]
        var tasks: [Task]
        var usage: TokenUsage
        var cost: Double?
        /// Findings left out because an earlier revision's review raised them.
        var droppedAsRaisedEarlier: Int
        /// What reading the mail and parsing the patch tolerated.
        var warnings: [String]
        /// Set when a mail client damaged the patch (nothing of it reviewed).
        var mangled: String?
        /// The deterministic checks (passed, failed, not done) and earlier review comments
        /// with their status; absent for a patch with nothing to check.
        var checks: [Check]?
        var earlierComments: [EarlierComment]?
        var evidenceNotes: [String]?
    }

    struct Check: Encodable {
        var check: String
        var outcome: String
        var subject: String
        var detail: String
    }

    struct EarlierComment: Encodable {
        var id: String
        var by: String
        var link: String?
        var status: String
        var reason: String
    }

    struct Skipped: Encodable {
        var patch: Int
        var file: String
        var reason: String
        var detail: String
        var changedLines: Int
    }

    struct DropCounts: Encodable {
        var unanchored = 0
        var duplicate = 0
        var refuted = 0
        var belowSeverityFloor = 0
        var overPatchCap = 0
        var reportedInEarlierRevision = 0
        var citesUnknownCode = 0
        var raisedByAnotherReviewer = 0
    }

    /// The tree the review read: its base, how it was chosen, and the patches that did not
    /// apply (reviewed without tree context).
    struct Tree: Encodable {
        var repository: String
        var base: String
        var baseCommit: String
        var baseSource: String
        var notApplied: [PlanDocument.NotApplied]
        /// Context-tool calls answered over the run.
        var toolCalls: Int
    }

    var series: String
    var revision: Int
    var patches: [PatchRecord]
    var skipped: [Skipped]
    var usage: TokenUsage
    var cost: Double?
    var dropped: DropCounts
    var stoppedByBudget: Bool
    var unreviewedTasks: [String]
    var failedTasks: [String]
    var apiCalls: Int
    var cacheHits: Int
    var warnings: [String]
    /// Every part not reviewed, with its reason (the report's "Not reviewed").
    var notReviewed: [String]
    /// Set when the API refused the key or never answered.
    var runFailure: String?
    var complete: Bool
    /// Nil: the review had no tree context.
    var tree: Tree?

    init(_ outcome: ReviewOutcome) {
        let report = outcome.report
        var counts = DropCounts()
        let statuses = outcome.earlierCommentStatuses
        func evidenceOf(_ index: Int) -> PatchEvidence? { index < outcome.evidence.count ? outcome.evidence[index] : nil }
        patches = report.patches.map { review in
            let item = outcome.patches[review.patchIndex]
            let names = ReviewOutcome.draftNames(item.number)
            counts.duplicate += review.findings.reduce(0) { $0 + $1.mergedCount - 1 }
            for drop in review.dropped {
                counts.duplicate += drop.mergedCount - 1
                switch drop.reason {
                case .fileNotInTask, .anchorNotFound: counts.unanchored += 1
                case .refuted: counts.refuted += 1
                case .belowSeverityFloor: counts.belowSeverityFloor += 1
                case .overPatchCap: counts.overPatchCap += 1
                case .reportedInEarlierRevision: counts.reportedInEarlierRevision += 1
                case .citesUnknownCode: counts.citesUnknownCode += 1
                case .raisedByAnotherReviewer: counts.raisedByAnotherReviewer += 1
                }
            }
            return PatchRecord(
                index: item.number, messageId: item.mail.messageID, subject: item.subject,
                drafts: outcome.drafts[item.number] == nil ? nil : Drafts(reviewInline: names.inline, mail: names.mail),
                findings: review.findings.map { Self.item($0, drafted: outcome.includeUnverified || $0.isVerified) },
                dropped: review.dropped.map {
                    Dropped(file: $0.finding.file, anchor: $0.finding.anchor, category: $0.finding.category.rawValue,
                            reason: Self.describe($0.reason))
                },
                tasks: review.tasks.map(Self.task), usage: review.usage, cost: review.cost,
                droppedAsRaisedEarlier: review.droppedAsRaisedEarlier, warnings: item.warnings,
                mangled: item.patch.mangling?.rawValue,
                checks: evidenceOf(review.patchIndex)?.checks.map {
                    Check(check: $0.kind.rawValue, outcome: $0.outcome.rawValue, subject: $0.subject, detail: $0.detail)
                },
                earlierComments: evidenceOf(review.patchIndex).map { _ in
                    statuses.filter { $0.patchIndex == review.patchIndex }.map {
                        EarlierComment(id: $0.id, by: $0.who, link: $0.link.isEmpty ? nil : $0.link,
                                       status: $0.status.rawValue, reason: $0.reason)
                    }
                },
                evidenceNotes: evidenceOf(review.patchIndex)?.notes)
        }
        series = outcome.seriesTitle
        revision = outcome.revision
        skipped = report.patches.flatMap(\.skipped).map {
            Skipped(patch: $0.patchIndex + 1, file: $0.file, reason: $0.reason.rawValue, detail: $0.detail,
                    changedLines: $0.changedLineCount)
        }
        usage = report.usage
        cost = report.cost
        dropped = counts
        stoppedByBudget = report.stoppedByBudget
        unreviewedTasks = report.unreviewedTasks
        failedTasks = report.failedTasks.map(\.taskID)
        apiCalls = report.apiCalls
        cacheHits = report.cacheHits
        warnings = report.warnings
        notReviewed = outcome.notReviewedLines
        runFailure = report.failure.map { failure in
            switch failure {
            case .rejectedCredentials(let detail): "the API refused the key: \(detail)"
            case .unreachable(let detail): "the API did not answer: \(detail)"
            }
        }
        complete = !outcome.isIncomplete
        tree = report.tree.map { summary in
            Tree(repository: summary.repository, base: summary.baseDescription, baseCommit: summary.baseCommit,
                 baseSource: summary.baseSource.rawValue,
                 notApplied: summary.notApplied.keys.sorted().map {
                     PlanDocument.NotApplied(patch: outcome.patches.indices.contains($0) ? outcome.patches[$0].number : $0 + 1,
                                             reason: summary.notApplied[$0]!)
                 },
                 toolCalls: report.toolCalls)
        }
    }

    static func item(_ f: AnchoredFinding, drafted: Bool) -> Item {
        let (verdict, reason): (String, String?) = switch f.verification {
        case .notVerified: ("unverified", "the verification pass was off")
        case .confirmed(let r): ("confirmed", r)
        case .uncertain(let r): ("uncertain", r)
        case .refuted(let r): ("refuted", r)
        case .failed(let r): ("unverified", r)
        }
        return Item(file: f.file, anchor: f.finding.anchor, category: f.finding.category.rawValue,
                    severity: f.finding.severity.rawValue, comment: f.finding.comment, evidence: f.finding.evidence,
                    fingerprint: f.fingerprint.hex, verdict: verdict, verdictReason: reason, drafted: drafted,
                    deterministicCheck: f.check?.rawValue)
    }

    static func task(_ t: TaskOutcome) -> Task {
        switch t.status {
        case .reviewed(let fromCache): Task(id: t.taskID, status: fromCache ? "reviewed-from-cache" : "reviewed")
        case .failed(let failure): Task(id: t.taskID, status: "failed", reason: failure.reason, rawAnswer: failure.rawAnswer)
        case .notReviewed(let reason): Task(id: t.taskID, status: "not-reviewed", reason: reason)
        }
    }

    static func describe(_ reason: DropReason) -> String {
        switch reason {
        case .fileNotInTask: "unanchored: the file is not in the task"
        case .anchorNotFound: "unanchored: no line of the task's diff has the anchor text"
        case .refuted(let why): "refuted: \(why)"
        case .belowSeverityFloor: "below the severity floor"
        case .overPatchCap: "over the per-patch cap"
        case .reportedInEarlierRevision: "already reported on an earlier revision"
        case .citesUnknownCode(let names):
            "cites code that exists neither in the tree nor in the series: " + names.joined(separator: ", ")
        case .raisedByAnotherReviewer(let id): "already sent to the thread by another AI reviewer (\(id))"
        }
    }
}

extension ReviewOutcome {
    public var findingsJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types cannot fail.
        return String(decoding: try! encoder.encode(FindingsDocument(self)), as: UTF8.self) + "\n"
    }
}
