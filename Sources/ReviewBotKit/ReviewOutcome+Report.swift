import Foundation
import ReviewEngine

extension ReviewOutcome {
    /// `report.md`: what a maintainer reads in thirty seconds. Per patch the findings by
    /// severity, then what was not reviewed and why, then the cost.
    public var reportMarkdown: String {
        let report = self.report
        var out = ["# Review of \"\(seriesTitle)\" (v\(revision))", ""]
        let findings = report.patches.reduce(0) { $0 + $1.findings.count }
        let failed = report.failedTasks.count
        let unreviewed = report.unreviewedTasks.count
        var status = "\(findings) finding\(findings == 1 ? "" : "s") in \(patches.count) patch\(patches.count == 1 ? "" : "es")"
        if failed > 0 { status += "; \(failed) task\(failed == 1 ? "" : "s") failed" }
        if unreviewed > 0 { status += "; \(unreviewed) task\(unreviewed == 1 ? "" : "s") not reviewed (budget)" }
        out += [status + ".", ""]
        if let tree = report.tree {
            out.append("Tree context: \(tree.repository) at \(tree.baseDescription); the model read the code around "
                       + "each change and made \(report.toolCalls) tool call\(report.toolCalls == 1 ? "" : "s").")
            for index in tree.notApplied.keys.sorted() {
                let number = patches.indices.contains(index) ? patches[index].number : index + 1
                out.append("Patch \(number) did not apply and was reviewed without tree context: \(tree.notApplied[index]!)")
            }
        } else {
            out.append("No tree context: the model saw only the diffs (no --tree), and the citation check was skipped.")
        }
        out.append("")

        for review in report.patches {
            let item = patches[review.patchIndex]
            out.append("## \(String(format: "%04d", item.number)) \(item.title)")
            out.append("")
            if review.findings.isEmpty {
                out.append("No findings.")
            }
            for severity in ["high", "medium", "low"] {
                for f in review.findings where f.finding.severity.rawValue == severity {
                    let mark = if case .uncertain = f.verification { " (uncertain)" } else { "" }
                    let comment = f.finding.comment.split(separator: "\n").first.map(String.init) ?? ""
                    out.append("- **\(severity)** \(f.finding.category.rawValue)\(mark), `\(f.file)`: \(comment)")
                }
            }
            for t in review.tasks {
                switch t.status {
                case .failed(let failure): out.append("- task \(t.taskID) failed: \(failure.reason)")
                case .notReviewed(let reason): out.append("- task \(t.taskID) not reviewed: \(reason)")
                case .reviewed: break
                }
            }
            if !review.dropped.isEmpty {
                out.append("- \(review.dropped.count) finding\(review.dropped.count == 1 ? "" : "s") dropped (see findings.json)")
            }
            if let draft = drafts[item.number] {
                let names = Self.draftNames(item.number)
                out.append("- draft: \(names.mail), \(names.inline)\(draft.unplaced.isEmpty ? "" : " (\(draft.unplaced.count) comment(s) could not be placed under a line)")")
            }
            out.append("")
        }

        out += evidenceSections

        let skipped = report.patches.flatMap(\.skipped)
        out.append("## Not reviewed")
        out.append("")
        if skipped.isEmpty && report.unreviewedTasks.isEmpty && report.failedTasks.isEmpty {
            out.append("Nothing: every changed line was reviewed.")
        }
        for part in skipped {
            out.append("- patch \(part.patchIndex + 1), `\(part.file)`: \(part.reason.rawValue), \(part.changedLineCount) changed line\(part.changedLineCount == 1 ? "" : "s") (\(part.detail))")
        }
        if report.stoppedByBudget {
            out.append("- the run budget was used up: \(report.unreviewedTasks.joined(separator: ", ")) not reviewed")
        }
        out.append("")

        let u = report.usage
        out.append("## Cost")
        out.append("")
        out.append("Tokens: \(u.input) input, \(u.cacheWrite) cache write, \(u.cacheRead) cache read, \(u.output) output.")
        out.append("Requests: \(report.apiCalls) to the API, \(report.cacheHits) answered from the local cache.")
        out.append(report.cost.map { String(format: "Estimated cost: $%.4f.", $0) } ?? "Estimated cost: unknown (no price for this model in the config).")
        for warning in report.warnings { out.append("Warning: \(warning)") }
        return out.joined(separator: "\n") + "\n"
    }
}
