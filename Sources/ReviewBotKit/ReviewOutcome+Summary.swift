import Foundation
import MboxParser
import ReviewEngine

extension ReviewOutcome {
    /// Something was not done: a task failed or was never sent, the API failed, or part
    /// of a patch could not be read (a mangled or cut diff). Parts left out by design
    /// (binary, generated, vendored, over the size limits, not selected) do not count.
    public var isIncomplete: Bool {
        report.stoppedByBudget || report.failure != nil || !report.failedTasks.isEmpty
            || !report.unreviewedTasks.isEmpty
            || report.patches.contains { $0.skipped.contains { $0.reason == .unparsed || $0.reason == .mangled } }
    }

    /// Findings kept in the report but left out of the drafts because nothing checked them.
    var undraftedUnverified: Int {
        includeUnverified ? 0 : report.patches.reduce(0) { $0 + $1.findings.filter { !$0.isVerified }.count }
    }

    /// What the terminal shows at the end of a run. When work failed or was left undone,
    /// it says so first and never ends with "edit the drafts, then send them".
    public func summary(directory: String) -> String {
        var lines = [statusLine + ", \(drafts.count) draft\(drafts.count == 1 ? "" : "s") in \(directory)"]
        for number in drafts.keys.sorted() {
            lines.append("  \(directory)/\(Self.draftNames(number).mail)")
        }
        let unverified = undraftedUnverified
        if unverified > 0 {
            lines.append("\(unverified) unverified finding\(unverified == 1 ? " is" : "s are") in report.md only "
                         + "(set [drafts] include_unverified = true to draft them)")
        }
        let notReviewed = notReviewedLines
        if !notReviewed.isEmpty {
            lines.append("not reviewed:")
            let shown = 12
            lines += notReviewed.prefix(shown).map { "  " + $0 }
            if notReviewed.count > shown { lines.append("  ... and \(notReviewed.count - shown) more (see report.md)") }
        }
        let u = report.usage
        lines.append("tokens: \(u.input) input, \(u.cacheWrite) cache write, \(u.cacheRead) cache read, \(u.output) output; "
                     + (report.cost.map { String(format: "cost $%.4f", $0) } ?? "cost unknown"))
        if isIncomplete {
            lines.append("the review is INCOMPLETE: read \(directory)/report.md; fix what stopped it and run again "
                         + "(answers already received come from the cache)")
        } else if drafts.isEmpty {
            lines.append("no drafts: read \(directory)/report.md")
        } else {
            lines.append("read \(directory)/report.md, edit the drafts, then send them yourself or with: reviewbot send \(directory)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    struct Summary: Encodable {
        var findings: Int
        var unverifiedFindings: Int
        var drafts: [String]
        var failedTasks: [String]
        var unreviewedTasks: [String]
        var notReviewed: [String]
        var stoppedByBudget: Bool
        var complete: Bool
        var usage: TokenUsage
        var cost: Double?
    }

    /// `--json`: the run in one object (the details are in findings.json).
    public var summaryJSON: String {
        let s = Summary(findings: report.patches.reduce(0) { $0 + $1.findings.count },
                        unverifiedFindings: report.patches.reduce(0) { $0 + $1.findings.filter { !$0.isVerified }.count },
                        drafts: drafts.keys.sorted().map { Self.draftNames($0).mail },
                        failedTasks: report.failedTasks.map(\.taskID), unreviewedTasks: report.unreviewedTasks,
                        notReviewed: notReviewedLines, stoppedByBudget: report.stoppedByBudget, complete: !isIncomplete,
                        usage: report.usage, cost: report.cost)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(s), as: UTF8.self) + "\n"
    }
}
