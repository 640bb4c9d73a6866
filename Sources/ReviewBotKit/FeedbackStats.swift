import Foundation
import ReviewEngine

/// `reviewbot stats`: the maintainer's verdicts counted per guide, per pattern file and per
/// category, so the guides that produce noise on their patches show. Each finding
/// (fingerprint) counts once, with its latest verdict, under every guide and pattern file
/// that was in force for its patch when it was made.
public struct FeedbackStats: Sendable {
    public struct Counts: Sendable, Hashable, Codable {
        public var accepted = 0
        public var edited = 0
        public var rejected = 0

        public var total: Int { accepted + edited + rejected }

        mutating func add(_ verdict: FeedbackVerdict) {
            switch verdict {
            case .accepted: accepted += 1
            case .edited: edited += 1
            case .rejected: rejected += 1
            }
        }

        /// Rejected over all: the noise.
        public var rejectedShare: Double? { total == 0 ? nil : Double(rejected) / Double(total) }
    }

    public var byGuide: [String: Counts] = [:]
    public var byPattern: [String: Counts] = [:]
    public var byCategory: [String: Counts] = [:]
    public var overall = Counts()
    /// Verdicts on findings the state database has no review record of (given by hand
    /// with a full fingerprint): counted overall only.
    public var unknownFindings = 0
    /// NIPA labels given by hand.
    public var labels: [String: Int] = [:]

    /// The guide name under which findings made with no subsystem or mode guide count.
    public static let noGuide = "(no guide)"

    public static func compute(store: StateStore) throws -> FeedbackStats {
        var latest: [String: FindingFeedback] = [:]
        var labels: [String: FeedbackLabel] = [:]
        for item in try store.feedback() {
            latest[item.fingerprint] = item
            if let label = item.label { labels[item.fingerprint] = label }
        }
        var stats = FeedbackStats()
        for (fingerprint, item) in latest.sorted(by: { $0.key < $1.key }) {
            stats.overall.add(item.verdict)
            if let label = labels[fingerprint] { stats.labels[label.rawValue, default: 0] += 1 }
            let records = try store.keptFindings(fingerprint: fingerprint)
            guard let finding = records.first(where: { $0.draftMessageID == item.draftMessageID }) ?? records.first else {
                stats.unknownFindings += 1
                continue
            }
            for guide in finding.guides.isEmpty ? [noGuide] : finding.guides { stats.byGuide[guide, default: Counts()].add(item.verdict) }
            for pattern in finding.patterns { stats.byPattern[pattern, default: Counts()].add(item.verdict) }
            stats.byCategory[finding.category, default: Counts()].add(item.verdict)
        }
        return stats
    }

    /// Three tables, most rejected first.
    public var listing: String {
        guard overall.total > 0 else {
            return "no verdicts yet: run reviewbot feedback DIR after sending a review, or give them with "
                + "reviewbot feedback --accept/--reject FINGERPRINT\n"
        }
        var lines: [String] = []
        func table(_ title: String, _ counts: [String: Counts]) {
            lines.append("")
            lines.append(title)
            guard !counts.isEmpty else {
                lines.append("  (none)")
                return
            }
            let width = max(12, counts.keys.map(\.count).max() ?? 0)
            lines.append("  " + "name".padding(toLength: width, withPad: " ", startingAt: 0)
                + "  accepted  edited  rejected  rejected%")
            for (name, c) in counts.sorted(by: { ($1.value.rejected, $0.key) < ($0.value.rejected, $1.key) }) {
                let share = c.rejectedShare.map { String(format: "%8.0f%%", $0 * 100) } ?? "        -"
                lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: "  %8d  %6d  %8d", c.accepted, c.edited, c.rejected) + " " + share)
            }
        }
        lines.append("\(overall.total) finding\(overall.total == 1 ? "" : "s") with a verdict: \(overall.accepted) accepted, "
            + "\(overall.edited) edited, \(overall.rejected) rejected"
            + (unknownFindings > 0 ? " (\(unknownFindings) with no review record, counted here only)" : ""))
        if !labels.isEmpty {
            lines.append("labels: " + labels.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        table("per guide (subsystem and mode files in force)", byGuide)
        table("per pattern file", byPattern)
        table("per category", byCategory)
        return lines.joined(separator: "\n") + "\n"
    }
}
