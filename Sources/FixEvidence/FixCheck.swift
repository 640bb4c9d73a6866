import Foundation

/// One deterministic check of a patch's claims against the tree and the syzbot report.
public struct FixCheck: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The `Fixes:` id names a commit of the tree.
        case fixesCommitExists = "fixes-commit-exists"
        /// The quoted subject is that commit's subject.
        case fixesSubjectMatches = "fixes-subject-matches"
        /// The fixed commit touched a file or function the patch changes.
        case fixesTouchesPatch = "fixes-touches-patch"
        /// A syzbot fix changes a function on the report's stacks, or a caller of one.
        case syzbotStackChanged = "syzbot-stack-changed"
    }

    public enum Outcome: String, Sendable, Hashable, Codable {
        case passed
        case failed
        /// The check could not run (no tree, the report could not be fetched); `detail` says why.
        case notDone = "not done"
    }

    public var kind: Kind
    public var outcome: Outcome
    /// What was checked, for the report: `Fixes: 1a2b3c4d5e6f ("foo: bar")`.
    public var subject: String
    /// The facts behind the outcome, one sentence.
    public var detail: String
    /// The commit-message line the check is about (the anchor of its finding).
    public var line: String
    /// The review comment a failed check becomes; nil for other outcomes.
    public var comment: String?

    public init(kind: Kind, outcome: Outcome, subject: String, detail: String, line: String, comment: String? = nil) {
        self.kind = kind
        self.outcome = outcome
        self.subject = subject
        self.detail = detail
        self.line = line
        self.comment = comment
    }

    /// How much a failed check matters: an id that resolves to nothing, or a fix that does
    /// not touch the code at all, sends readers and stable tooling the wrong way.
    public var severity: String {
        switch kind {
        case .fixesSubjectMatches: "low"
        case .fixesCommitExists, .fixesTouchesPatch, .syzbotStackChanged: "medium"
        }
    }
}
