import Foundation

/// The findings of one patch on their way from the model's reports to the review: anchored,
/// merged, filtered against earlier revisions and the severity floor, verified, capped.
/// Everything left out is in `dropped` with its reason.
public struct FindingSelection: Sendable, Hashable {
    public var kept: [AnchoredFinding] = []
    public var dropped: [DroppedFinding] = []

    /// Anchors each reported finding in its task, merges duplicates, then drops findings
    /// already reported on an earlier revision and those below `floor`.
    public init(reports: [(task: ReviewTask, findings: [Finding])], earlierFingerprints: Set<String>,
                floor: Severity) {
        var anchored: [AnchoredFinding] = []
        for (task, findings) in reports {
            for finding in findings {
                switch task.anchor(finding) {
                case .anchored(let result): anchored.append(result)
                case .dropped(let reason): dropped.append(DroppedFinding(finding: finding, taskID: task.id, reason: reason))
                }
            }
        }
        for finding in AnchoredFinding.mergingDuplicates(anchored) {
            if earlierFingerprints.contains(finding.fingerprint.hex) {
                dropped.append(DroppedFinding(finding, reason: .reportedInEarlierRevision))
            } else if finding.finding.severity < floor {
                dropped.append(DroppedFinding(finding, reason: .belowSeverityFloor))
            } else {
                kept.append(finding)
            }
        }
    }

    init(patch: PatchPlan, reviews: [ReviewRunner.TaskReview], earlierFingerprints: Set<String>, floor: Severity) {
        self.init(reports: reviews.map { ($0.task, $0.findings) }, earlierFingerprints: earlierFingerprints,
                  floor: floor)
    }

    /// Records the verification verdict of `kept[index]`; a refuted finding moves to
    /// `dropped`.
    public mutating func setVerification(_ status: VerificationStatus, at index: Int) {
        if case .refuted(let reason) = status {
            let finding = kept.remove(at: index)
            dropped.append(DroppedFinding(finding, reason: .refuted(reason: reason)))
        } else {
            kept[index].verification = status
        }
    }

    /// The kept findings, highest severity first (report order within a severity), at most
    /// `limit`; the rest as dropped over the cap.
    public func capped(at limit: Int) -> (kept: [AnchoredFinding], overCap: [DroppedFinding]) {
        let ordered = kept.enumerated().sorted { lhs, rhs in
            lhs.element.finding.severity != rhs.element.finding.severity
                ? lhs.element.finding.severity > rhs.element.finding.severity : lhs.offset < rhs.offset
        }.map(\.element)
        let cut = max(0, limit)
        return (Array(ordered.prefix(cut)), ordered.dropFirst(cut).map {
            DroppedFinding($0, reason: .overPatchCap)
        })
    }
}

extension AnchoredFinding {
    /// Whether the verification pass looked at this finding and kept it (confirmed, or
    /// uncertain). A finding nobody checked (`--no-verify`, the budget ran out, the
    /// request failed) is unverified: it stays in the report and is drafted only when the
    /// configuration asks for it.
    public var isVerified: Bool {
        switch verification {
        case .confirmed, .uncertain: true
        case .notVerified, .failed, .refuted: false
        }
    }

    /// Why the finding is unverified, for the report; nil when it was verified.
    public var unverifiedReason: String? {
        switch verification {
        case .confirmed, .uncertain, .refuted: nil
        case .notVerified: "not verified: the verification pass was off"
        case .failed(let reason): reason.hasPrefix("not verified") ? reason : "not verified: \(reason)"
        }
    }
}

extension PatchReview {
    /// The findings a draft may carry: the verified ones, and the unverified ones only
    /// when `includeUnverified`.
    public func draftable(includeUnverified: Bool) -> [AnchoredFinding] {
        findings.filter { includeUnverified || $0.isVerified }
    }

    /// Findings dropped because an earlier revision's review already raised them.
    public var droppedAsRaisedEarlier: Int {
        dropped.filter { $0.reason == .reportedInEarlierRevision }.count
    }
}
