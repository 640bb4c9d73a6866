import Foundation
import ReviewEngine

extension ReviewOutcome {
    /// Something was not done: a task failed or the budget stopped the run.
    public var isIncomplete: Bool { report.stoppedByBudget || !report.failedTasks.isEmpty }

    /// What the terminal shows at the end of a run.
    public func summary(directory: String) -> String {
        let findings = report.patches.reduce(0) { $0 + $1.findings.count }
        var lines = ["\(findings) finding\(findings == 1 ? "" : "s"), \(drafts.count) draft\(drafts.count == 1 ? "" : "s") in \(directory)"]
        for number in drafts.keys.sorted() {
            lines.append("  \(directory)/\(Self.draftNames(number).mail)")
        }
        if !report.failedTasks.isEmpty {
            lines.append("failed tasks: " + report.failedTasks.map(\.taskID).joined(separator: ", ") + " (see report.md)")
        }
        if report.stoppedByBudget {
            lines.append("budget used up; not reviewed: " + report.unreviewedTasks.joined(separator: ", "))
        }
        let u = report.usage
        lines.append("tokens: \(u.input) input, \(u.cacheWrite) cache write, \(u.cacheRead) cache read, \(u.output) output; "
                     + (report.cost.map { String(format: "cost $%.4f", $0) } ?? "cost unknown"))
        lines.append("read \(directory)/report.md, edit the drafts, then send them yourself or with: reviewbot send \(directory)")
        return lines.joined(separator: "\n") + "\n"
    }

    struct Summary: Encodable {
        var findings: Int
        var drafts: [String]
        var failedTasks: [String]
        var unreviewedTasks: [String]
        var stoppedByBudget: Bool
        var usage: TokenUsage
        var cost: Double?
    }

    /// `--json`: the run in one object (the details are in findings.json).
    public var summaryJSON: String {
        let s = Summary(findings: report.patches.reduce(0) { $0 + $1.findings.count },
                        drafts: drafts.keys.sorted().map { Self.draftNames($0).mail },
                        failedTasks: report.failedTasks.map(\.taskID), unreviewedTasks: report.unreviewedTasks,
                        stoppedByBudget: report.stoppedByBudget, usage: report.usage, cost: report.cost)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(s), as: UTF8.self) + "\n"
    }
}
