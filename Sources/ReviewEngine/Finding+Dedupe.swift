import Foundation

extension AnchoredFinding {
    /// Token Jaccard similarity at or above which two comments on the same file say the same
    /// thing: 0.8 tolerates a reworded clause in a two-sentence comment but not a different
    /// function or variable name in a short one.
    public static let nearDuplicateThreshold = 0.8

    /// Merges duplicates in order of appearance: the same file, anchor line text and
    /// category, or the same file and near-identical comments. The merged finding keeps the
    /// highest severity (and that report's text) and counts how many reports it stands for.
    public static func mergingDuplicates(_ findings: [AnchoredFinding]) -> [AnchoredFinding] {
        var kept: [AnchoredFinding] = []
        var tokens: [Set<Substring>] = []
        for finding in findings {
            let words = commentTokens(finding.finding.comment)
            let match = kept.indices.first { index in
                let other = kept[index]
                guard other.file == finding.file else { return false }
                let sameSpot = Fingerprint.normalizedCode(other.line.text) == Fingerprint.normalizedCode(finding.line.text)
                    && other.finding.category == finding.finding.category
                return sameSpot || jaccard(tokens[index], words) >= nearDuplicateThreshold
            }
            guard let index = match else {
                kept.append(finding)
                tokens.append(words)
                continue
            }
            let count = kept[index].mergedCount + finding.mergedCount
            if finding.finding.severity > kept[index].finding.severity {
                kept[index] = finding
                tokens[index] = words
            }
            kept[index].mergedCount = count
        }
        return kept
    }

    static func commentTokens(_ text: String) -> Set<Substring> {
        Set(text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") })
    }

    static func jaccard(_ lhs: Set<Substring>, _ rhs: Set<Substring>) -> Double {
        let union = lhs.union(rhs).count
        return union == 0 ? 1 : Double(lhs.intersection(rhs).count) / Double(union)
    }
}
