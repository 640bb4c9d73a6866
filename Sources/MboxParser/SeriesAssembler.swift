import Foundation

/// Rebuilds patch series from the mails of a thread or mailbox the way `b4 am` does: the
/// newest revision, slots in order, the cover letter, partial rerolls, missing slots, and
/// the trailers reviewers gave in replies. Pure: no I/O.
///
/// Unlike b4, which lumps every patch of a revision into one series, messages are first
/// split into threads; unthreaded pieces of one posting (same author, revision and length,
/// disjoint slots) are joined again. So a mailbox holding unrelated series lists them
/// apart. DIFFERENCES-b4.md lists every deliberate difference.
public struct SeriesAssembler: Sendable {
    /// Every series found, in the order their first patch appears in the source.
    public let candidates: [PatchSeries]
    /// Per candidate: the messages it holds (entry positions) and its threads.
    private let members: [Set<Int>]
    private let threads: [Set<Int>]
    /// Per candidate, the other revisions of its series (see `families(candidates:threads:)`).
    let families: [[Int]]
    private let dates: [Date]
    let graph: ThreadGraph

    public init(messages: [SeriesMessage]) {
        var entries = Self.classify(messages)
        let graph = ThreadGraph(entries: entries)
        var built: [Candidate] = []
        var inferred: [Int: Int] = [:]
        for (number, component) in graph.components.enumerated() {
            var mailbox = RevisionMailbox(entries: entries, lookup: graph.lookup)
            for position in component { mailbox.add(position) }
            // Applied after the loop: writing `entries` while a mailbox shares it would copy
            // the whole array once per thread. Threads are disjoint, so no mailbox needs
            // another thread's inferred revisions.
            inferred.merge(mailbox.revisionOf) { $1 }
            built += mailbox.candidates(thread: number)
        }
        for (position, revision) in inferred { entries[position].revision = revision }
        built = Self.joinUnthreaded(built, entries: entries)
        built.sort { $0.firstPosition < $1.firstPosition }

        let collector = TrailerCollector(entries: entries, lookup: graph.lookup)
        var series = built.map { collector.series(for: $0) }
        let threads = built.map(\.threads)
        let families = Self.families(candidates: series, threads: threads)
        for at in series.indices {
            let others = families[at].map { series[$0].revision }.filter { $0 != series[at].revision }
            series[at].otherVersions = Set(others).sorted()
        }
        self.candidates = series
        self.members = built.map { Set($0.slots.compactMap { $0?.position }) }
        self.threads = threads
        self.families = families
        self.dates = built.map { $0.submissionDate(entries) }
        self.graph = graph
    }

    /// Picks one series. With neither argument: the newest posting (b4: the revision whose
    /// first patch is newest). `messageID` picks the series holding that message (or the
    /// patch it answers); `version` picks that revision of the chosen series.
    public func select(version: Int? = nil, messageID: String? = nil) -> SeriesSelection {
        guard !candidates.isEmpty else { return .noPatches }
        var pool = Array(candidates.indices)
        if let raw = messageID {
            let wanted = raw.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
            guard let position = graph.lookup[wanted] else { return .noSuchMessage(wanted) }
            pool = holders(of: position)
            if pool.isEmpty { return .noPatches }
        }
        guard let base = newest(pool) else { return .noPatches }
        guard let version else { return .found(candidates[base]) }
        let family = [base] + families[base]
        if let pick = newest(family.filter { candidates[$0].revision == version })
            ?? newest(candidates.indices.filter { candidates[$0].revision == version }) {
            return .found(candidates[pick])
        }
        return .noSuchVersion(version, available: Set(family.map { candidates[$0].revision }).sorted())
    }

    /// The candidates holding `position`, else those holding its nearest ancestor, else
    /// those of its thread.
    func holders(of position: Int) -> [Int] {
        var current: Int? = position
        var hops = 0
        while let at = current, hops <= graph.parentOf.count {
            let found = members.indices.filter { members[$0].contains(at) }
            if !found.isEmpty { return found }
            current = graph.parentOf[at]
            hops += 1
        }
        guard let thread = graph.threadOf[position] else { return [] }
        return threads.indices.filter { threads[$0].contains(thread) }
    }

    func newest(_ pool: [Int]) -> Int? {
        pool.max { (dates[$0], $0) < (dates[$1], $1) }
    }

    /// Other postings of the same series: same thread, or same author and title.
    /// Per candidate, the other candidates of the same series: those sharing a thread
    /// with it, or with the same author and title. Indexed by thread and by key, so a
    /// mailbox with thousands of series is not compared pair by pair.
    private static func families(candidates: [PatchSeries], threads: [Set<Int>]) -> [[Int]] {
        let keys = candidates.map(familyKey)
        var byKey: [String: [Int]] = [:]
        var byThread: [Int: [Int]] = [:]
        for index in candidates.indices {
            byKey[keys[index], default: []].append(index)
            for thread in threads[index] { byThread[thread, default: []].append(index) }
        }
        return candidates.indices.map { at in
            var family = Set(byKey[keys[at]] ?? [])
            for thread in threads[at] { family.formUnion(byThread[thread] ?? []) }
            family.remove(at)
            return family.sorted()
        }
    }

    private static func familyKey(_ series: PatchSeries) -> String {
        let first = series.cover.map { ($0.message, $0.subject) }
            ?? series.patches.first.map { ($0.message, $0.subject) }
        guard let (message, subject) = first else { return "" }
        return (message.author?.email.lowercased() ?? "") + "\n" + subject.title.lowercased()
    }

    /// Series sent without threading (`--no-thread`, or an archive that lost References) fall
    /// into separate threads; join the pieces of one posting, oldest first.
    private static func joinUnthreaded(_ built: [Candidate], entries: [Entry]) -> [Candidate] {
        let ordered = built.sorted {
            ($0.submissionDate(entries), $0.firstPosition) < ($1.submissionDate(entries), $1.firstPosition)
        }
        var joined: [Candidate] = []
        for candidate in ordered {
            if let at = joined.firstIndex(where: { $0.canJoin(candidate, entries) }) {
                joined[at].join(candidate)
            } else {
                joined.append(candidate)
            }
        }
        // A cover letter whose patches never turned up is not a series (b4: "all missing").
        return joined.filter { $0.slots.dropFirst().contains { $0 != nil } }
    }
}

/// One message as assembly sees it (b4's `LoreMessage`).
struct Entry: Sendable {
    let position: Int
    let message: SeriesMessage
    let subject: PatchSubject
    /// The revision after b4's inference from the parent mail.
    var revision: Int
    let isReply: Bool
    let isRobot: Bool
    let hasDiff: Bool
    let hasDiffstat: Bool
    /// Trailers in the body when this is a reply.
    let replyTrailers: [Trailer]
    /// In-Reply-To, unless empty or pointing at itself.
    let parentID: String?
    /// References then In-Reply-To, without the message's own id.
    let references: [String]

    var counter: Int { subject.counter }
    var expected: Int { subject.expected }
    var countersInferred: Bool { subject.index == nil }
    var fromEmail: String { message.from?.email ?? "" }
    var date: Date { message.date ?? .distantPast }
    /// A patch in its own right (not a reply carrying a proposed diff).
    var isPatch: Bool { hasDiff && !isReply }
}

extension SeriesAssembler {
    /// Robot senders: their "kindly add Reported-by" lines are advice for a future fix, not
    /// trailers for the patch they answer.
    static let robotAddresses: Set<String> = [
        "lkp@intel.com", // kernel test robot
        "pr-tracker-bot@kernel.org",
    ]

    static func isRobot(_ address: MailAddress?) -> Bool {
        guard let email = address?.email.lowercased() else { return false }
        return robotAddresses.contains(email) || email.hasPrefix("patchwork-bot")
    }

    static func classify(_ messages: [SeriesMessage]) -> [Entry] {
        var seen = Set<String>()
        var entries: [Entry] = []
        entries.reserveCapacity(messages.count)
        for var message in messages {
            if message.messageID?.isEmpty == true { message.messageID = nil }
            // b4 keeps the first copy of a Message-ID (archives deliver duplicates).
            if let id = message.messageID, !seen.insert(id).inserted { continue }
            let subject = PatchSubject.parse(message.subject)
            let hasDiff = message.hasDiff
            var references = message.references
            if let parent = message.inReplyTo, !references.contains(parent) { references.append(parent) }
            references.removeAll { $0 == message.messageID || $0.isEmpty }
            let parentID = message.inReplyTo.flatMap { $0 == message.messageID || $0.isEmpty ? nil : $0 }
            // Only a reply, or a mail without a diff, can give trailers (b4 ignores the rest).
            let found = subject.isReply || !hasDiff ? Trailer.replyCandidates(in: message.bodyText) : []
            // b4: trailers, no diff and References make a reply even without "Re:".
            let isReply = subject.isReply || (!found.isEmpty && !references.isEmpty && !hasDiff)
            entries.append(Entry(
                position: entries.count, message: message, subject: subject,
                revision: subject.revision, isReply: isReply, isRobot: isRobot(message.from),
                hasDiff: hasDiff, hasDiffstat: SeriesMessage.textHasDiffstat(message.bodyText),
                replyTrailers: isReply ? Trailer.withoutHeaderLike(found) : [],
                parentID: parentID, references: references))
        }
        return entries
    }
}

/// Threads: messages linked by Message-ID, In-Reply-To and References, in any arrival
/// order. Union-find over ids with path halving; no recursion.
struct ThreadGraph: Sendable {
    /// Message-ID -> entry position.
    private(set) var lookup: [String: Int] = [:]
    /// Entry position -> position of its In-Reply-To parent, when that is in the source.
    private(set) var parentOf: [Int: Int] = [:]
    /// Entry positions per thread, each in archive order; threads ordered by first message.
    private(set) var components: [[Int]] = []
    /// Entry position -> thread number.
    private(set) var threadOf: [Int: Int] = [:]

    init(entries: [Entry]) {
        for entry in entries {
            if let id = entry.message.messageID { lookup[id] = entry.position }
        }
        var parent: [Int] = []
        var nodeOf: [String: Int] = [:]
        func newNode() -> Int {
            parent.append(parent.count)
            return parent.count - 1
        }
        func node(_ id: String) -> Int {
            if let known = nodeOf[id] { return known }
            let made = newNode()
            nodeOf[id] = made
            return made
        }
        func root(_ start: Int) -> Int {
            var at = start
            while parent[at] != at {
                parent[at] = parent[parent[at]]
                at = parent[at]
            }
            return at
        }
        var entryNode: [Int] = []
        for entry in entries {
            let own = entry.message.messageID.map(node) ?? newNode()
            entryNode.append(own)
            for reference in entry.references {
                let (a, b) = (root(own), root(node(reference)))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
            if let id = entry.parentID, let target = lookup[id] { parentOf[entry.position] = target }
        }
        var numberOfRoot: [Int: Int] = [:]
        for entry in entries {
            let top = root(entryNode[entry.position])
            let number: Int
            if let known = numberOfRoot[top] {
                number = known
                components[number].append(entry.position)
            } else {
                number = components.count
                numberOfRoot[top] = number
                components.append([entry.position])
            }
            threadOf[entry.position] = number
        }
    }
}
