import Foundation

/// The evidence as plain text for the model. All of it is material from strangers (a
/// dashboard, list mail, our state built from model answers): the engine fences each part
/// and the prompt templates say what it is; nothing here is an instruction.
extension SyzbotBugEvidence {
    /// The bug, then each fetched report: class, headline, kernel, access, stacks (report
    /// machinery left out), lockdep's locks and chains. At most
    /// `FixEvidenceLimits.summaryBytes` per report; a cut says so.
    public var summary: String {
        var lines: [String] = []
        lines.append("Bug: " + UntrustedText.oneLine(bug.title ?? reports.first?.headline ?? reference.description))
        lines.append("Dashboard: \(pageURL)")
        if let status = bug.status, !status.isEmpty { lines.append("Status: \(UntrustedText.oneLine(status))") }
        lines.append("Reproducer: " + (hasReproducer ? reproducerKinds : "none on the dashboard"))
        if let cause = bug.causeCommit {
            lines.append("Bisected to: \(cause.hash.map { String($0.prefix(12)) + " " } ?? "")(\"\(UntrustedText.oneLine(cause.title))\")")
        }
        for commit in (bug.fixCommits ?? []).prefix(3) {
            lines.append("Fix commit the dashboard knows: \(commit.hash.map { String($0.prefix(12)) + " " } ?? "")(\"\(UntrustedText.oneLine(commit.title))\")")
        }
        var text = lines.joined(separator: "\n")
        for (number, report) in reports.enumerated() {
            let crash = bug.crashes.flatMap { number < $0.count ? $0[number] : nil }
            text += "\n\n" + report.summary(number: number + 1, crash: crash)
        }
        if reports.isEmpty { text += "\n\nNo crash report text could be fetched." }
        return text
    }

    private var reproducerKinds: String {
        let crashes = bug.crashes ?? []
        var kinds: [String] = []
        if crashes.contains(where: { !($0.cReproducer ?? "").isEmpty }) { kinds.append("C") }
        if crashes.contains(where: { !($0.syzReproducer ?? "").isEmpty }) { kinds.append("syz") }
        return kinds.joined(separator: " and ") + " reproducer"
    }
}

extension SyzbotReport {
    /// One report as the model reads it, bounded.
    public func summary(number: Int, crash: SyzbotBug.Crash?) -> String {
        var lines = ["Crash report \(number): \(crashClass.rawValue)"]
        if !headline.isEmpty { lines.append("Headline: \(headline)") }
        if let version = kernelVersion ?? crash?.kernelSourceCommit.map({ "commit " + String($0.prefix(12)) }) {
            lines.append("Kernel: \(version)" + (crash?.architecture.map { " (\($0))" } ?? ""))
        }
        if let accessDetail { lines.append("Access: \(accessDetail)") }
        if let faultingFrame { lines.append("Faulting at: \(faultingFrame)") }
        for note in lockNotes { lines.append("Lock \(note)") }
        var machineryLeftOut = false
        for stack in stacks {
            lines.append("")
            lines.append(stack.label + ":")
            for frame in stack.frames {
                if Self.isMachinery(frame), stack.role != .lockChain {
                    machineryLeftOut = true
                    continue
                }
                lines.append("  " + frame.description)
            }
            if stack.omittedFrames > 0 { lines.append("  (\(stack.omittedFrames) more frames)") }
        }
        if machineryLeftOut {
            lines.append("")
            lines.append("(Frames of the sanitizer, allocator, lockdep and syscall or workqueue entry are left out.)")
        }
        if truncated { lines.append("(The report was longer than the parser reads; its end is missing.)") }
        return Self.bounded(lines.joined(separator: "\n"), limit: FixEvidenceLimits.summaryBytes)
    }

    /// `text` cut at a line boundary to at most `limit` bytes, saying how much was cut.
    static func bounded(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var kept = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if kept.utf8.count + line.utf8.count + 1 > limit - 60 { break }
            kept += line + "\n"
        }
        return kept + "(cut here: the summary is limited to \(limit) bytes)"
    }
}

extension ReviewComment {
    /// The comment as the model reads it: who, where, the quoted lines, the text.
    public var material: String {
        let who = reviewer.name.isEmpty ? reviewer.email : "\(reviewer.name) <\(reviewer.email)>"
        var lines = ["\(id): \(who) on v\(revision)"
                        + (source == .aiBot ? " (an AI reviewer)" : "")
                        + (link.isEmpty ? "" : ", \(link)")]
        lines.append(file.map { "About \($0):" } ?? (quoted.isEmpty ? "About the patch as a whole:" : "About the commit message:"))
        lines += quoted.map { "> " + $0 }
        lines.append(text)
        return lines.joined(separator: "\n")
    }
}

extension PreviousFinding {
    public var material: String {
        "\(id): our \(severity) \(category) finding on v\(revision), \(file), at the line `\(anchor)`:\n\(comment)"
    }
}

extension FixCheck {
    /// `failed: Fixes: 1a2b3c ("x"): <detail>`.
    public var material: String { "\(outcome.rawValue): \(subject): \(detail)" }
}
