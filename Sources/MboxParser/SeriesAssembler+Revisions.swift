import Foundation

/// One slot's patch: the entry, and the revision it was borrowed from in a partial reroll.
struct Slot: Sendable, Hashable {
    let position: Int
    var rerolledFrom: Int?
}

/// A series before trailers are applied: slot 0 is the cover letter.
struct Candidate: Sendable {
    var revision: Int
    var slots: [Slot?]
    var threads: Set<Int>

    var firstPosition: Int {
        slots.dropFirst().compactMap { $0?.position }.min() ?? slots.first??.position ?? .max
    }

    /// b4's `submission_date`: the date of the first patch present.
    func submissionDate(_ entries: [Entry]) -> Date {
        (slots.dropFirst().lazy.compactMap { $0 }.first ?? slots.first ?? nil)
            .map { entries[$0.position].date } ?? .distantPast
    }

    /// Whether `other` is another piece of the same unthreaded posting.
    func canJoin(_ other: Candidate, _ entries: [Entry]) -> Bool {
        guard revision == other.revision, slots.count == other.slots.count, slots.count > 2,
              threads.isDisjoint(with: other.threads) else { return false }
        let mine = slots.compactMap { $0 }, theirs = other.slots.compactMap { $0 }
        let all = mine + theirs
        guard all.allSatisfy({ !entries[$0.position].countersInferred && $0.rerolledFrom == nil })
        else { return false }
        let authors = Set(all.map { entries[$0.position].fromEmail.lowercased() })
        let taken = zip(slots, other.slots).contains { $0 != nil && $1 != nil }
        return authors.count == 1 && !taken
    }

    mutating func join(_ other: Candidate) {
        for (at, slot) in other.slots.enumerated() where slot != nil { slots[at] = slot }
        threads.formUnion(other.threads)
    }
}

/// b4's `LoreMailbox` for one thread: patches by revision and slot, cover letters, and the
/// rules b4 uses to infer revisions, spot partial rerolls and naked cover letters.
struct RevisionMailbox {
    let entries: [Entry]
    let lookup: [String: Int]
    /// Revisions inferred from the parent mail (b4 `revision_inferred` fix-ups).
    private(set) var revisionOf: [Int: Int] = [:]
    private var added = Set<Int>()
    private var series: [Int: [Slot?]] = [:]
    private var covers: [Int: Int] = [:]

    init(entries: [Entry], lookup: [String: Int]) {
        self.entries = entries
        self.lookup = lookup
    }

    private func revision(_ position: Int) -> Int { revisionOf[position] ?? entries[position].revision }

    mutating func add(_ position: Int) {
        added.insert(position)
        let entry = entries[position]
        if entry.isReply || entry.subject.isPullRequest { return }
        if entry.counter == 0 {
            covers[entry.revision] = position
            return
        }
        guard entry.hasDiff else { return }
        var revision = entry.revision
        if series[revision] == nil, !entry.subject.hasExplicitRevision, let parentID = entry.parentID,
           let parent = lookup[parentID], added.contains(parent) {
            // Unversioned patch under a versioned cover letter or first patch takes its revision.
            let upper = entries[parent]
            if (upper.hasDiffstat && !upper.hasDiff) || (upper.hasDiff && upper.counter == 1) {
                revision = self.revision(parent)
            }
        }
        if series[revision] == nil { series[revision] = [] }
        // b4: the same author re-posting an unnumbered, unversioned [PATCH] later is a new revision.
        if entry.counter == 1, entry.countersInferred, entry.subject.hasPatchTag, !entry.subject.isResend,
           let slots = series[revision], slots.count > 1, let earlier = slots[1],
           entries[earlier.position].countersInferred,
           entries[earlier.position].fromEmail == entry.fromEmail,
           entries[earlier.position].date < entry.date {
            revision = (series.keys.max() ?? 0) + 1
            series[revision] = []
        }
        revisionOf[position] = revision
        place(position, in: &series[revision, default: []])
    }

    /// b4's `add_patch`, except that a second mail claiming a numbered slot replaces the older
    /// one instead of shifting the series (see DIFFERENCES-b4.md).
    private func place(_ position: Int, in slots: inout [Slot?]) {
        let entry = entries[position]
        while slots.count < entry.expected + 1 { slots.append(nil) }
        let at = entry.counter
        guard let old = slots[at] else {
            slots[at] = Slot(position: position)
            return
        }
        let previous = entries[old.position]
        if previous.countersInferred && !entry.countersInferred {
            slots[at] = Slot(position: position)
        } else if !previous.countersInferred && !entry.countersInferred {
            if previous.date <= entry.date { slots[at] = Slot(position: position) }
        } else {
            slots.append(Slot(position: position))
        }
    }

    /// Every revision of this thread as a candidate series (b4's `get_series` for each).
    func candidates(thread: Int) -> [Candidate] {
        var built: [Int: Candidate] = [:]
        for revision in series.keys.sorted() {
            built[revision] = assemble(revision, previous: built[revision - 1], thread: thread)
        }
        // Cover letters with no patches here may belong to patches in another thread.
        for (revision, cover) in covers where series[revision] == nil {
            var slots = [Slot?](repeating: nil, count: entries[cover].expected + 1)
            slots[0] = Slot(position: cover)
            built[revision] = Candidate(revision: revision, slots: slots, threads: [thread])
        }
        return built.keys.sorted().compactMap { built[$0] }
    }

    private func assemble(_ revision: Int, previous: Candidate?, thread: Int) -> Candidate {
        var slots = series[revision] ?? []
        if slots.dropFirst().contains(where: { $0 == nil }), let previous, isPartialReroll(slots) {
            for at in slots.indices where slots[at] == nil && at < previous.slots.count {
                guard let borrowed = previous.slots[at] else { continue }
                if at == 0, covers[revision] != nil { continue }
                slots[at] = Slot(position: borrowed.position, rerolledFrom: borrowed.rerolledFrom ?? previous.revision)
            }
        }
        if let cover = covers[revision] {
            while slots.count < entries[cover].expected + 1 { slots.append(nil) }
            slots[0] = Slot(position: cover)
        } else if slots.first ?? nil == nil, let naked = nakedCover(slots) {
            slots[0] = Slot(position: naked)
        }
        return Candidate(revision: revision, slots: slots, threads: [thread])
    }

    /// b4's partial-reroll test: every patch of the new revision answers (directly or up the
    /// chain) a patch with the same counter and length.
    private func isPartialReroll(_ slots: [Slot?]) -> Bool {
        for slot in slots {
            guard let slot else { continue }
            let patch = entries[slot.position]
            guard let parentID = patch.parentID, var upper = lookup[parentID] else { return false }
            var found = false
            var hops = 0
            while hops <= entries.count {
                if entries[upper].counter == patch.counter && entries[upper].expected == patch.expected {
                    found = true
                    break
                }
                guard let nextID = entries[upper].parentID, let next = lookup[nextID], next != upper else { break }
                upper = next
                hops += 1
            }
            if !found { return false }
        }
        return true
    }

    /// A parent mail without a diff that carries a diffstat, or (naked cover) a thread root
    /// by the same author that is not a reply.
    private func nakedCover(_ slots: [Slot?]) -> Int? {
        for slot in slots {
            guard let slot, let parentID = entries[slot.position].parentID,
                  let candidate = lookup[parentID] else { continue }
            let parent = entries[candidate]
            if parent.hasDiff { continue }
            if parent.hasDiffstat
                || (parent.parentID == nil && !parent.isReply && parent.fromEmail == entries[slot.position].fromEmail) {
                return candidate
            }
        }
        return nil
    }
}
