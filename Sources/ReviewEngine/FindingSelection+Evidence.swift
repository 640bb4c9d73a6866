import Crypto
import FixEvidence
import Foundation
import MboxParser

extension FindingSelection {
    /// Brings a patch's evidence into its findings, before verification: a model finding
    /// that repeats what another AI reviewer already sent to the thread is dropped (and
    /// counted); each failed deterministic check becomes a `commit-message` finding that
    /// goes through the same earlier-revision and severity filters as the model's (and
    /// later the same cap).
    public mutating func apply(_ evidence: PatchEvidence?, patchIndex: Int, earlierFingerprints: Set<String>,
                               floor: Severity) {
        guard let evidence else { return }
        if !evidence.botComments.isEmpty {
            var remaining: [AnchoredFinding] = []
            for finding in kept {
                let raised = RaisedFinding(finding)
                if let comment = evidence.botComments.first(where: { $0.isRepeated(by: raised) }) {
                    dropped.append(DroppedFinding(finding, reason: .raisedByAnotherReviewer(comment.id)))
                } else {
                    remaining.append(finding)
                }
            }
            kept = remaining
        }
        for check in evidence.failedChecks {
            guard let finding = AnchoredFinding(check: check, patchIndex: patchIndex) else { continue }
            if earlierFingerprints.contains(finding.fingerprint.hex) {
                dropped.append(DroppedFinding(finding, reason: .reportedInEarlierRevision))
            } else if finding.finding.severity < floor {
                dropped.append(DroppedFinding(finding, reason: .belowSeverityFloor))
            } else if !kept.contains(where: { $0.fingerprint == finding.fingerprint }) {
                kept.append(finding)
            }
        }
    }
}

extension AnchoredFinding {
    /// What `file` says for a finding about the commit message.
    public static let commitMessageFile = "(commit message)"

    /// The finding a failed check becomes: written without a model call, anchored to the
    /// commit-message line the check is about, confirmed by the check itself (a model has
    /// nothing to add to "this id is not in the tree"). Nil for a check that did not fail.
    public init?(check: FixCheck, patchIndex: Int) {
        guard check.outcome == .failed, let comment = check.comment,
              let severity = Severity(rawValue: check.severity) else { return nil }
        let finding = Finding(file: Self.commitMessageFile, anchor: check.line, category: .commitMessage,
                              severity: severity, comment: comment, evidence: check.detail)
        self.init(finding: finding, taskID: "P\(patchIndex + 1)-checks", patchIndex: patchIndex,
                  line: DiffLine(kind: .context, text: check.line),
                  position: HunkSpan(fileIndex: -1, hunkIndex: -1, lines: 0..<1),
                  fingerprint: Fingerprint(commitMessageLine: check.line, check: check.kind),
                  verification: .confirmed(reason: "a deterministic check (\(check.kind.rawValue)): \(check.detail)"),
                  check: check.kind, commitMessageLine: check.line)
    }

    /// Whether a deterministic check wrote this finding.
    public var isDeterministic: Bool { check != nil }
}

extension Fingerprint {
    /// A commit-message finding's identity: the check and the line it is about, so the same
    /// wrong tag on the next revision is not reported twice, and a corrected one is new.
    init(commitMessageLine line: String, check: FixCheck.Kind) {
        let parts = ["commit-message", check.rawValue, Self.normalizedCode(line)]
        self.init(hex: SHA256.hex(of: Data(parts.joined(separator: "\u{0}").utf8)))
    }
}

extension RaisedFinding {
    /// A finding as comments are matched against it: the diff line it is anchored to.
    public init(_ finding: AnchoredFinding) {
        self.init(file: finding.file, anchor: finding.commitMessageLine ?? finding.line.text,
                  comment: finding.finding.comment, evidence: finding.finding.evidence)
    }
}
