import Foundation

/// A series rebuilt from a thread or mailbox, as `b4 am` would hand it to git am.
public struct PatchSeries: Sendable, Hashable {
    /// The revision (`v3` -> 3; 1 when the subjects name none).
    public var revision: Int
    /// A non-integral version as written (`3.1`); `revision` is then 1, as in b4.
    public var fractionalRevision: String?
    /// Number of slots (the `N` of `i/N`).
    public var total: Int
    /// Slots with no patch in the source, in order. Never silently dropped.
    public var missing: [Int]
    public var isRFC: Bool
    public var isResend: Bool
    /// Tree and project tags from the cover letter (or first patch): `net-next`, `nft`.
    public var prefixes: [String]
    public var cover: SeriesCover?
    /// The patches present, in slot order.
    public var patches: [SeriesPatch]
    /// Other revisions of the same series found in the source, ascending.
    public var otherVersions: [Int]
    /// Set when some slots were taken from an earlier revision (a partial reroll).
    public var rerolledFrom: Int?
    /// Person trailers from replies that were not applied because the reply's sender is not
    /// the person named (`b4 am` without `-S` does the same).
    public var ignoredTrailers: [IgnoredTrailer]

    public var isComplete: Bool { missing.isEmpty }
}

/// The cover letter (`0/N`, or a parent mail with a diffstat and no diff).
public struct SeriesCover: Sendable, Hashable {
    public var message: SeriesMessage
    public var subject: PatchSubject
    /// Trailers replies gave to the cover letter; they apply to every patch.
    public var collectedTrailers: [Trailer]
}

/// One slot of a series.
public struct SeriesPatch: Sendable, Hashable {
    /// 1-based slot.
    public var index: Int
    public var total: Int
    public var message: SeriesMessage
    public var subject: PatchSubject
    /// Set when this slot came from an earlier revision in a partial reroll.
    public var rerolledFrom: Int?
    /// The patch's own trailers (its commit message).
    public var ownTrailers: [Trailer]
    /// Trailers from replies to it, then those carried over from an identical patch in
    /// another revision, then those given to the cover letter; none repeats an own trailer.
    public var collectedTrailers: [Trailer]

    /// What `b4 am` writes: own trailers, then collected ones.
    public var trailers: [Trailer] { ownTrailers + collectedTrailers }

    /// The commit title git am will use: the in-body `Subject:` when present, else the
    /// mail subject without its prefixes.
    public var commitTitle: String {
        if let inBody = message.patch?.inBodySubject, !inBody.isEmpty {
            return PatchSubject.parse(inBody).title
        }
        return subject.title
    }
}

/// A trailer seen in a reply but not applied.
public struct IgnoredTrailer: Sendable, Hashable {
    public var trailer: Trailer
    /// Who sent the reply.
    public var sender: MailAddress?
    public var messageID: String?
}

/// The outcome of picking one series out of a source.
public enum SeriesSelection: Sendable, Hashable {
    case found(PatchSeries)
    /// No message in the source carries a patch.
    case noPatches
    /// `--version N` named a revision the source does not hold.
    case noSuchVersion(Int, available: [Int])
    /// `--msgid` named a message the source does not hold.
    case noSuchMessage(String)
}
