import Foundation

/// Trailers from replies, attached the way b4 does: each reply's trailers go to the first
/// mail up its In-Reply-To chain that is not itself a reply (a patch, or a cover letter
/// whose trailers then apply to every patch); identical patches in other revisions share
/// them (b4 matches `git patch-id`; here the diff with whitespace and line numbers removed).
struct TrailerCollector {
    private struct Delivery {
        let target: Int
        let trailers: [Trailer]
        let ignored: [IgnoredTrailer]
    }

    private let entries: [Entry]
    private let deliveries: [Delivery]
    private var identity: [Int: String] = [:]

    init(entries: [Entry], lookup: [String: Int]) {
        self.entries = entries
        var deliveries: [Delivery] = []
        for reply in entries where reply.isReply && !reply.isRobot && !reply.replyTrailers.isEmpty {
            guard let target = Self.target(of: reply, entries: entries, lookup: lookup) else { continue }
            let sender = reply.message.from
            var given: [Trailer] = [], ignored: [IgnoredTrailer] = []
            for trailer in reply.replyTrailers {
                if trailer.isGiven(by: sender) {
                    given.append(trailer)
                } else {
                    ignored.append(IgnoredTrailer(trailer: trailer, sender: sender, messageID: reply.message.messageID))
                }
            }
            deliveries.append(Delivery(target: target, trailers: given, ignored: ignored))
        }
        self.deliveries = deliveries
        for delivery in deliveries where entries[delivery.target].isPatch {
            identity[delivery.target] = entries[delivery.target].message.patch.map(Self.identityKey)
        }
    }

    /// The mail a reply's trailers belong to. b4 follows In-Reply-To (References only when
    /// In-Reply-To is absent) and gives up when the parent is not in the source.
    private static func target(of reply: Entry, entries: [Entry], lookup: [String: Int]) -> Int? {
        var current: Int?
        if let parentID = reply.parentID {
            current = lookup[parentID]
        } else {
            current = reply.references.lazy.compactMap { lookup[$0] }.first
        }
        var hops = 0
        while let at = current, hops <= entries.count {
            if !entries[at].isReply { return at }
            guard let nextID = entries[at].parentID, let next = lookup[nextID], next != at else { return nil }
            current = next
            hops += 1
        }
        return nil
    }

    func series(for candidate: Candidate) -> PatchSeries {
        let present = candidate.slots.dropFirst().compactMap { $0 }
        let coverEntry = candidate.slots.first.flatMap { $0 }.map { entries[$0.position] }
        let coverTrailers = coverEntry.map { trailers(for: $0.position) } ?? []
        let lead = coverEntry ?? present.first.map { entries[$0.position] }

        var patches: [SeriesPatch] = []
        for (at, slot) in candidate.slots.enumerated() where at > 0 {
            guard let slot else { continue }
            let entry = entries[slot.position]
            let own = entry.message.patch?.trailers ?? []
            var collected: [Trailer] = []
            func add(_ trailer: Trailer) {
                if own.contains(where: { $0.isSame(as: trailer) }) || collected.contains(where: { $0.isSame(as: trailer) }) { return }
                collected.append(trailer)
            }
            trailers(for: slot.position).forEach(add)
            carriedOver(to: slot.position, revision: candidate.revision).forEach(add)
            coverTrailers.forEach(add)
            patches.append(SeriesPatch(
                index: at, total: candidate.slots.count - 1, message: entry.message, subject: entry.subject,
                rerolledFrom: slot.rerolledFrom, ownTrailers: own, collectedTrailers: collected))
        }
        let positions = Set(candidate.slots.compactMap { $0?.position })
        let subjects = candidate.slots.compactMap { $0 }.map { entries[$0.position].subject }
        return PatchSeries(
            revision: candidate.revision,
            fractionalRevision: subjects.lazy.compactMap(\.fractionalRevision).first,
            total: candidate.slots.count - 1,
            missing: candidate.slots.indices.filter { $0 > 0 && candidate.slots[$0] == nil },
            isRFC: lead?.subject.isRFC ?? false,
            isResend: lead?.subject.isResend ?? false,
            prefixes: lead?.subject.prefixes ?? [],
            cover: coverEntry.map { SeriesCover(message: $0.message, subject: $0.subject, collectedTrailers: coverTrailers) },
            patches: patches,
            otherVersions: [],
            rerolledFrom: present.lazy.compactMap(\.rerolledFrom).first,
            ignoredTrailers: deliveries.filter { positions.contains($0.target) }.flatMap(\.ignored))
    }

    private func trailers(for position: Int) -> [Trailer] {
        deliveries.filter { $0.target == position }.flatMap(\.trailers)
    }

    /// Trailers given to an identical patch posted in another revision.
    private func carriedOver(to position: Int, revision: Int) -> [Trailer] {
        guard let patch = entries[position].message.patch, patch.hasDiff else { return [] }
        let key = Self.identityKey(patch)
        return deliveries.filter {
            $0.target != position && entries[$0.target].revision != revision && identity[$0.target] == key
        }.flatMap(\.trailers)
    }

    /// What `git patch-id` hashes: paths and changed/context lines, whitespace and line
    /// numbers ignored.
    static func identityKey(_ patch: Patch) -> String {
        var key = ""
        for file in patch.files {
            key += "\u{1}" + (file.oldPath ?? "") + "\u{2}" + (file.newPath ?? "")
            for hunk in file.hunks {
                for line in hunk.lines where line.kind != .noNewlineMarker {
                    key += "\n" + String(line.patchText.filter { !$0.isWhitespace })
                }
            }
        }
        return key
    }
}
