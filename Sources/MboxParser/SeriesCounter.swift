import Foundation

/// Counts the series in a mailbox of any size the way `SeriesAssembler` finds them, while
/// keeping only a compact outline per patch and cover letter (replies are never kept).
///
/// Assembly joins pieces only within a thread, or across threads for one author (an
/// unthreaded posting), so mail falls into independent groups: those linked by Message-ID,
/// In-Reply-To, References or author. Each group is assembled on its own and dropped, so
/// memory holds the outlines plus one group's assembly, not the whole mailbox's.
struct SeriesCounter {
    /// What assembly needs of one patch or cover letter, with ids hashed.
    private struct Outline {
        var id: UInt64?
        var parent: UInt64?
        var references: [UInt64]
        var author: UInt64?
        var subject: String
        var date: Date?
        var diffstatLine: String
        var isPatch: Bool
    }

    private var outlines: [Outline] = []

    /// Records `mail` if it can take part in a series: a patch, or a cover letter candidate
    /// (not a reply, with a patch tag or a counter). Decided on the subject before any other
    /// header is decoded, because most mail in an archive is replies.
    mutating func add(_ mail: MailMessage, isPatch: Bool) {
        let subject = mail.subject ?? ""
        var diffstatLine = ""
        if !isPatch {
            if PatchSubject.startsWithReplyMarker(subject) { return }
            let parsed = PatchSubject.parse(subject)
            guard !parsed.isReply, parsed.hasPatchTag || parsed.index != nil else { return }
            let text = mail.bodyText
            if SeriesMessage.textHasDiffstat(text) {
                diffstatLine = text.split(separator: "\n").first { SeriesMessage.textHasDiffstat(String($0)) }
                    .map(String.init) ?? ""
            }
        }
        outlines.append(Outline(id: mail.messageID.map(Self.hash), parent: mail.inReplyTo.map(Self.hash),
                                references: mail.references.map(Self.hash),
                                author: mail.from.map { Self.hash("author:" + $0.email.lowercased()) },
                                subject: subject, date: mail.date, diffstatLine: diffstatLine, isPatch: isPatch))
    }

    /// The number of series, group by group.
    func count() -> Int {
        var groups = UnionFind()
        var firstNode: [Int] = []
        for outline in outlines {
            let nodes = ([outline.id, outline.parent, outline.author].compactMap { $0 } + outline.references)
                .map { groups.node($0) }
            let first = nodes.first ?? groups.newNode()
            for node in nodes.dropFirst() { groups.union(first, node) }
            firstNode.append(first)
        }
        var members: [Int: [Int]] = [:]
        var order: [Int] = []
        for (index, node) in firstNode.enumerated() {
            let root = groups.find(node)
            if members[root] == nil { order.append(root) }
            members[root, default: []].append(index)
        }
        // Groups are independent: assemble them on every core.
        let work = order.map { members[$0]! }
        let counts = Locked([Int](repeating: 0, count: work.count))
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let found = SeriesAssembler(messages: work[index].map { message(outlines[$0]) }).candidates.count
            counts.withLock { $0[index] = found }
        }
        return counts.withLock { $0.reduce(0, +) }
    }

    private static let patchMarker = Patch(files: [FileDiff(oldPath: nil, newPath: nil, status: .modified)])

    private func message(_ o: Outline) -> SeriesMessage {
        func text(_ hash: UInt64) -> String { String(hash, radix: 36) }
        return SeriesMessage(messageID: o.id.map(text), inReplyTo: o.parent.map(text), references: o.references.map(text),
                             subject: o.subject, from: o.author.map { MailAddress(name: "", email: text($0)) },
                             date: o.date, bodyText: o.diffstatLine, patch: o.isPatch ? Self.patchMarker : nil,
                             location: MessageLocation(file: "", number: 0))
    }

    /// FNV-1a, 64 bits: collisions among the ids of one mailbox are vanishingly unlikely.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}

/// Disjoint sets over hashed ids, with path halving; no recursion.
private struct UnionFind {
    private var parent: [Int] = []
    private var nodeOf: [UInt64: Int] = [:]

    mutating func newNode() -> Int {
        parent.append(parent.count)
        return parent.count - 1
    }

    mutating func node(_ key: UInt64) -> Int {
        if let known = nodeOf[key] { return known }
        let fresh = newNode()
        nodeOf[key] = fresh
        return fresh
    }

    mutating func find(_ start: Int) -> Int {
        var x = start
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (ra, rb) = (find(a), find(b))
        if ra != rb { parent[rb] = ra }
    }
}

/// A value shared by the threads of `concurrentPerform`.
private final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
