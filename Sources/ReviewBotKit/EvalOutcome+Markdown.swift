import Foundation
import ReviewEngine

/// Sashiko's published result on its benchmark (peers.md): the figure an eval is read against.
public enum SashikoReference {
    /// Share of the bugs behind 1,000 recent `Fixes:` commits its reviews found.
    public static let recall = 0.536
    public static let rows = 1_000
    /// Points its own identical runs differ by.
    public static let runSpreadPoints = 6.0
}

extension EvalOutcome {
    /// `eval.md`: the figures overall and per subsystem (mean and spread over the runs),
    /// how they compare with Sashiko's, and every row left out or not done.
    public var markdown: String {
        let summary = summary
        var out: [String] = []
        let name = (benchmark.path as NSString).lastPathComponent
        out.append("# Eval of \(EvalText.markdown(name))")
        out.append("")
        out.append("Benchmark `\(EvalText.markdown(benchmark.path))` (SHA-256 \(benchmark.hash.prefix(16))…): "
            + "\(rows.count) row\(rows.count == 1 ? "" : "s") run of \(benchmark.rows.count + benchmark.badRows.count), "
            + "\(runs) run\(runs == 1 ? "" : "s"); reviews by \(EvalText.markdown(model)), judged by "
            + "\(EvalText.markdown(judgeModel)). Each row's commit was reviewed against its parent with the tree's "
            + "code, as `reviewbot review` does, and the judge was asked whether a kept finding describes the "
            + "known problem.")
        if isIncomplete {
            out.append("")
            out.append("**Incomplete:** \(undone.count) row run\(undone.count == 1 ? "" : "s") not done"
                + (stoppedByBudget ? " (the budget was used up)" : "") + (failure.map { " (the API failed: \(EvalText.markdown($0)))" } ?? "")
                + "; run the same command again to continue.")
        }
        out.append("")
        out.append("## Overall")
        out.append("")
        out.append("| figure | value |")
        out.append("|---|---|")
        let overall = summary.overall
        out.append("| rows judged | \(overall.perRun.map { String($0.rows) }.joined(separator: ", ")) |")
        out.append("| recall (detected) | \(Self.ratio(overall.perRun, \.detected)) = \(Self.spread(overall.recall, percent: true)) |")
        out.append("| recall (detected + partial) | \(Self.ratio(overall.perRun) { $0.detected + $0.partial }) = "
            + "\(Self.spread(overall.recallWithPartial, percent: true)) |")
        out.append("| findings per patch | \(Self.spread(overall.findingsPerPatch, decimals: 2)) |")
        out.append("| findings matching no known problem (an upper bound on false positives) | "
            + "\(Self.spread(overall.unmatchedShare, percent: true)) |")
        out.append("| tokens per patch | \(Self.spread(overall.tokensPerPatch, decimals: 0)) |")
        out.append("| dollars per patch | \(Self.spread(overall.dollarsPerPatch, dollars: true)) |")
        out.append("| wall time per run (s) | \(Self.spread(overall.seconds, decimals: 1)) |")
        out.append("")
        out.append("## Per subsystem")
        out.append("")
        if summary.subsystems.isEmpty {
            out.append("No row was judged.")
        } else {
            out.append("| subsystem | rows | recall | recall with partial | findings per patch | no known problem | tokens per patch | dollars per patch |")
            out.append("|---|---|---|---|---|---|---|---|")
            for group in summary.subsystems {
                out.append("| \(EvalText.markdown(group.name)) | \(group.perRun.first?.rows ?? 0) | "
                    + "\(Self.spread(group.recall, percent: true)) | \(Self.spread(group.recallWithPartial, percent: true)) | "
                    + "\(Self.spread(group.findingsPerPatch, decimals: 2)) | \(Self.spread(group.unmatchedShare, percent: true)) | "
                    + "\(Self.spread(group.tokensPerPatch, decimals: 0)) | \(Self.spread(group.dollarsPerPatch, dollars: true)) |")
            }
        }
        out.append("")
        out.append("The chart `\(Self.fileNames.chart)` shows recall per subsystem"
            + (runs > 1 ? " with the standard deviation over the runs as error bars." : "."))
        out.append("")
        out.append("## Compared with Sashiko")
        out.append("")
        out.append(comparison(summary))
        if !leftOutRows.isEmpty {
            out.append("")
            out.append("## Rows left out (not counted)")
            out.append("")
            for row in leftOutRows {
                out.append("- row \(row.row + 1) \(row.commit.prefix(12)) [\(EvalText.markdown(row.subsystem))]: "
                    + "\(row.status.rawValue): \(EvalText.markdown(row.detail ?? ""))")
            }
        }
        if !undone.isEmpty {
            out.append("")
            out.append("## Rows not done")
            out.append("")
            for row in undone {
                out.append("- run \(row.run), row \(row.row + 1) \(row.commit.prefix(12)): \(EvalText.markdown(row.reason))")
            }
        }
        if !benchmark.badRows.isEmpty {
            out.append("")
            out.append("## Rows that could not be read")
            out.append("")
            for row in benchmark.badRows { out.append("- \(row.label): \(EvalText.markdown(row.reason))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// How the recall compares with Sashiko's 53.6%, with the sampling error a benchmark
    /// of this size carries.
    func comparison(_ summary: EvalSummary) -> String {
        let reference = String(format: "%.1f%%", SashikoReference.recall * 100)
        var text = "Sashiko reports \(reference) of the bugs behind \(SashikoReference.rows) recent `Fixes:` commits "
            + "detected, and its identical runs differ by about ±\(Int(SashikoReference.runSpreadPoints)) points."
        guard let recall = summary.overall.recall, let rows = summary.overall.perRun.first?.rows, rows > 0 else {
            return text + " This eval judged no row, so there is nothing to compare yet."
        }
        // The normal approximation of a binomial proportion's 95% interval: how far the
        // recall of `rows` rows may sit from the true one by the luck of the draw alone.
        let p = recall.mean
        let margin = 1.96 * (p * (1 - p) / Double(rows)).squareRoot() * 100
        text += String(format: " This eval's recall is %.1f%% over %d row%@", p * 100, rows, rows == 1 ? "" : "s")
        text += String(format: "; by sampling alone it could be %.1f points either way (95%%)", margin)
        let gap = (p - SashikoReference.recall) * 100
        if abs(gap) <= max(margin, SashikoReference.runSpreadPoints) {
            text += String(format: ", so the %.1f-point difference from Sashiko is within the noise.", gap)
        } else {
            text += String(format: ", so the %.1f-point difference from Sashiko is larger than the noise.", gap)
        }
        return text + " Only the same benchmark rows, judged the same way, make the figures strictly comparable."
    }

    /// `2/3` for one run, `2/3, 3/3` for several.
    static func ratio(_ runs: [EvalFigures], _ count: (EvalFigures) -> Int) -> String {
        runs.map { "\(count($0))/\($0.rows)" }.joined(separator: ", ")
    }

    static func ratio(_ runs: [EvalFigures], _ key: KeyPath<EvalFigures, Int>) -> String {
        ratio(runs) { $0[keyPath: key] }
    }

    /// `66.7%` for one run; `66.7% ± 4.1 (60.0–70.0), 3 runs` for several.
    static func spread(_ spread: EvalSpread?, percent: Bool = false, decimals: Int = 2, dollars: Bool = false) -> String {
        guard let spread else { return "-" }
        func format(_ value: Double) -> String {
            if percent { return String(format: "%.1f", value * 100) }
            if dollars { return String(format: "%.4f", value) }
            return String(format: "%.\(decimals)f", value)
        }
        let unit = percent ? "%" : ""
        let prefix = dollars ? "$" : ""
        guard spread.runs > 1 else { return prefix + format(spread.mean) + unit }
        return "\(prefix)\(format(spread.mean))\(unit) ± \(format(spread.standardDeviation)) "
            + "(\(format(spread.min))–\(format(spread.max))), \(spread.runs) runs"
    }
}

/// Text from a benchmark file (subsystems, descriptions, paths) as our outputs show it.
enum EvalText {
    /// For a Markdown table cell or list item: one line, no control characters, and none
    /// of the characters that would end a cell or start HTML or code.
    static func markdown(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "`": out += "'"
            case "\n", "\r", "\t": out += " "
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                    out += "?"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// For SVG text: XML's five entities, and characters XML 1.0 does not allow dropped.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let value = scalar.value
                let allowed = value == 0x09 || value == 0x0A || value == 0x0D || (0x20...0xD7FF).contains(value)
                    || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
                if allowed, scalar.properties.generalCategory != .format { out.unicodeScalars.append(scalar) } else { out += "?" }
            }
        }
        return out
    }
}

extension EvalOutcome {
    /// What `reviewbot eval` prints when it ends: the overall figures, one line per
    /// subsystem, and where the files are. Subsystem names come from the benchmark, so
    /// control characters are replaced before they reach the terminal.
    public func terminalSummary(directory: String) -> String {
        let summary = summary
        let overall = summary.overall
        var lines: [String] = []
        lines.append("recall \(Self.ratio(overall.perRun, \.detected)) = \(Self.spread(overall.recall, percent: true)); "
            + "with partial \(Self.spread(overall.recallWithPartial, percent: true)); "
            + "findings per patch \(Self.spread(overall.findingsPerPatch, decimals: 2)); "
            + "matching no known problem (upper bound on false positives) \(Self.spread(overall.unmatchedShare, percent: true))")
        lines.append("per patch: \(Self.spread(overall.tokensPerPatch, decimals: 0)) tokens, "
            + "\(Self.spread(overall.dollarsPerPatch, dollars: true)); this invocation: \(apiCalls) request"
            + "\(apiCalls == 1 ? "" : "s"), " + String(format: "$%.4f, %.1f s", spent, seconds)
            + (reused > 0 ? "; \(reused) row run\(reused == 1 ? "" : "s") finished before, not repeated" : ""))
        for group in summary.subsystems {
            lines.append("  \(EvalText.markdown(group.name)): \(Self.ratio(group.perRun, \.detected)) = "
                + "\(Self.spread(group.recall, percent: true))")
        }
        if !leftOutRows.isEmpty {
            lines.append("\(leftOutRows.count) row\(leftOutRows.count == 1 ? "" : "s") left out, not counted "
                + "(missing from the tree or not applying at the parent): see eval.md")
        }
        if isIncomplete {
            lines.append("incomplete: \(undone.count) row run\(undone.count == 1 ? "" : "s") not done"
                + (stoppedByBudget ? " (the budget was used up)" : "") + (failure.map { " (the API failed: \(EvalText.markdown($0)))" } ?? "")
                + "; run the same command again to continue")
        }
        lines.append("wrote \(directory)/\(Self.fileNames.json), \(Self.fileNames.markdown), \(Self.fileNames.chart)")
        return lines.joined(separator: "\n") + "\n"
    }
}
