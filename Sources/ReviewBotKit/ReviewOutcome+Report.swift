import Foundation
import MboxParser
import ReviewEngine

extension ReviewOutcome {
    /// `report.md`: what a maintainer reads in thirty seconds. Per patch the findings by
    /// severity (each marked when no verification pass checked it), then everything that
    /// was not reviewed and why, then the cost.
    public var reportMarkdown: String {
        let report = self.report
        var out = ["# Review of \"\(seriesTitle)\" (v\(revision))", ""]
        out += [statusLine + ".", ""]
        if !verificationRan {
            out += ["The verification pass was off for this run: no finding was checked by it.", ""]
        }
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
            if let mangling = item.patch.mangling {
                out.append("- **mangled patch** (\(mangling.rawValue)): a mail client damaged it; nothing of it was "
                           + "reviewed. Ask the author to send it again with git send-email.")
            }
            if review.findings.isEmpty {
                if review.tasks.contains(where: { if case .reviewed = $0.status { true } else { false } }) {
                    out.append("No findings.")
                } else if review.tasks.isEmpty, review.skipped.isEmpty {
                    out.append("No changed lines to review.")
                } else {
                    out.append("Not reviewed (see below).")
                }
            }
            for severity in ["high", "medium", "low"] {
                for f in review.findings where f.finding.severity.rawValue == severity {
                    var marks: [String] = []
                    if case .uncertain = f.verification { marks.append("uncertain") }
                    if !f.isVerified {
                        marks.append("unverified" + (includeUnverified ? "" : ", not in the draft"))
                    }
                    let mark = marks.isEmpty ? "" : " (\(marks.joined(separator: "; ")))"
                    let comment = f.finding.comment.split(separator: "\n").first.map(String.init) ?? ""
                    out.append("- **\(severity)** \(f.finding.category.rawValue)\(mark), `\(f.file)`: \(comment)")
                }
            }
            let unverified = review.findings.compactMap(\.unverifiedReason)
            if let reason = Set(unverified).sorted().first, !unverified.isEmpty {
                out.append("- \(unverified.count) finding\(unverified.count == 1 ? "" : "s") unverified (\(reason))")
            }
            for t in review.tasks {
                switch t.status {
                case .failed(let failure): out.append("- task \(t.taskID) failed: \(failure.reason)")
                case .notReviewed(let reason): out.append("- task \(t.taskID) not reviewed: \(reason)")
                case .reviewed: break
                }
            }
            let earlier = review.droppedAsRaisedEarlier
            if earlier > 0 {
                out.append("- \(earlier) finding\(earlier == 1 ? "" : "s") not repeated: already raised on an earlier revision")
            }
            let otherDrops = review.dropped.count - earlier
            if otherDrops > 0 {
                out.append("- \(otherDrops) finding\(otherDrops == 1 ? "" : "s") dropped (see findings.json)")
            }
            if let draft = drafts[item.number] {
                let names = Self.draftNames(item.number)
                out.append("- draft: \(names.mail), \(names.inline)\(draft.unplaced.isEmpty ? "" : " (\(draft.unplaced.count) comment(s) could not be placed under a line)")")
            }
            for warning in item.warnings {
                out.append("- warning: \(warning)")
            }
            out.append("")
        }
        if drafts[0] != nil {
            let names = Self.draftNames(0)
            out += ["## Cover letter", "", "- draft: \(names.mail), a summary reply to the cover letter", ""]
        }

        out += evidenceSections

        out.append("## Not reviewed")
        out.append("")
        let notReviewed = notReviewedLines
        out += notReviewed.isEmpty ? ["Nothing: every changed line was reviewed."] : notReviewed.map { "- " + $0 }
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

    /// `12 findings (3 unverified) in 7 patches; 2 tasks failed; ...`
    var statusLine: String {
        let findings = report.patches.reduce(0) { $0 + $1.findings.count }
        let unverified = report.patches.reduce(0) { $0 + $1.findings.filter { !$0.isVerified }.count }
        var status = "\(findings) finding\(findings == 1 ? "" : "s")"
        if unverified > 0 { status += " (\(unverified) unverified)" }
        status += " in \(patches.count) patch\(patches.count == 1 ? "" : "es")"
        let failed = report.failedTasks.count
        let unreviewed = report.unreviewedTasks.count
        if failed > 0 { status += "; \(failed) task\(failed == 1 ? "" : "s") failed" }
        if unreviewed > 0 { status += "; \(unreviewed) task\(unreviewed == 1 ? "" : "s") not reviewed" }
        let mangled = patches.filter { $0.patch.mangling != nil }.count
        if mangled > 0 { status += "; \(mangled) mangled patch\(mangled == 1 ? "" : "es") not reviewed" }
        if let failure = report.failure {
            switch failure {
            case .rejectedCredentials: status += "; the API refused the key"
            case .unreachable: status += "; the API did not answer"
            }
        }
        return status
    }

    /// Every part of the series that was not reviewed, with its reason: skipped parts
    /// (binary, generated, not selected, unreadable or mangled diff), failed tasks, tasks
    /// the run never sent.
    var notReviewedLines: [String] {
        var lines: [String] = []
        for review in report.patches {
            let number = patches[review.patchIndex].number
            for part in review.skipped {
                lines.append("patch \(number), `\(part.file)`: \(part.reason.rawValue), \(part.changedLineCount) changed line\(part.changedLineCount == 1 ? "" : "s") (\(part.detail))")
            }
            for task in review.tasks {
                switch task.status {
                case .failed(let failure): lines.append("patch \(number), task \(task.taskID): failed: \(failure.reason)")
                case .notReviewed(let reason): lines.append("patch \(number), task \(task.taskID): \(reason)")
                case .reviewed: break
                }
            }
        }
        return lines
    }
}
