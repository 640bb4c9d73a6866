import Crypto
import FixEvidence
import Foundation
import MboxParser

/// Which series a review belongs to across revisions, so fingerprints from v2 can suppress
/// repeats on v3. `key` stays the same from revision to revision; `revision` changes.
public struct SeriesIdentity: Sendable, Hashable, Codable {
    public var key: String
    public var revision: Int

    public init(key: String, revision: Int) {
        self.key = key
        self.revision = revision
    }

    /// The b4 `change-id` when the series carries one (it survives rewording of titles);
    /// otherwise the cover letter's (or first patch's) title without its `[PATCH vN m/n]`
    /// prefix, plus the author's address.
    public static func make(changeID: String?, title: String, authorEmail: String,
                            revision: Int) -> SeriesIdentity {
        if let changeID, !changeID.isEmpty {
            return SeriesIdentity(key: "change-id:" + changeID, revision: revision)
        }
        let normalized = title.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return SeriesIdentity(key: "title:" + normalized + "\u{0}" + authorEmail.lowercased(),
                              revision: revision)
    }
}

/// One patch of the series to review, with what the prompt's series context needs.
public struct ReviewPatch: Sendable, Hashable {
    /// The patch title (subject without the `[PATCH ...]` prefix).
    public var title: String
    public var messageID: String?
    public var patch: Patch
    /// What the patch is checked against beyond its diff (syzbot reports, Fixes: checks,
    /// earlier review); shown in the patch's context, and its failed checks are findings.
    public var evidence: PatchEvidence?

    public init(title: String, messageID: String? = nil, patch: Patch, evidence: PatchEvidence? = nil) {
        self.title = title
        self.messageID = messageID
        self.patch = patch
        self.evidence = evidence
    }
}

/// The series as the engine sees it; the caller builds it from the parsed series.
public struct ReviewSeries: Sendable, Hashable {
    public var identity: SeriesIdentity
    /// The cover letter body, when the series has one.
    public var coverLetter: String?
    public var patches: [ReviewPatch]

    public init(identity: SeriesIdentity, coverLetter: String? = nil, patches: [ReviewPatch]) {
        self.identity = identity
        self.coverLetter = coverLetter
        self.patches = patches
    }
}
