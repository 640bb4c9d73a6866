import Foundation

extension SeriesAssembler {
    /// The distinct series of the source: each group holds the candidates that are
    /// revisions of one series (linked through a shared thread, or the same author and
    /// title, directly or through another revision), in the order `candidates` lists them;
    /// groups in the order of their first candidate. A mailbox of one series, however many
    /// revisions it holds, has one group.
    public var seriesGroups: [[Int]] {
        var parent = Array(candidates.indices)
        func root(_ start: Int) -> Int {
            var at = start
            while parent[at] != at {
                parent[at] = parent[parent[at]]
                at = parent[at]
            }
            return at
        }
        for (index, family) in families.enumerated() {
            for other in family {
                let (a, b) = (root(index), root(other))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var groups: [[Int]] = []
        var groupOfRoot: [Int: Int] = [:]
        for index in candidates.indices {
            let top = root(index)
            if let known = groupOfRoot[top] {
                groups[known].append(index)
            } else {
                groupOfRoot[top] = groups.count
                groups.append([index])
            }
        }
        return groups
    }

    /// The revision `select()` would pick out of `group` with no version asked for: the
    /// newest posting, as b4 picks.
    public func newestCandidate(in group: [Int]) -> Int? { newest(group) }

    /// The candidates holding the message `messageID` (or the patch it answers); empty
    /// when the source does not hold it.
    public func candidates(holding messageID: String) -> [Int] {
        let wanted = messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        guard let position = graph.lookup[wanted] else { return [] }
        return holders(of: position)
    }
}
