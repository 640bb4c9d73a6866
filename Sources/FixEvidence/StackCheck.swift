import Foundation

/// Whether a patch that claims to fix a syzbot report changes code the report shows: a
/// function on its stacks, or a caller of one (the tree says who calls what).
public enum StackCheck {
    /// - Parameters:
    ///   - evidence: the bug and its reports; nil when it could not be fetched (`fetchFailure` says why).
    ///   - callers: for functions on the stacks, the functions that call them, from the tree;
    ///     nil without a tree.
    public static func evaluate(reference: SyzbotReference, evidence: SyzbotBugEvidence?, fetchFailure: String?,
                                patchFunctions: [String], callers: [String: [String]]?) -> FixCheck {
        let what = "syzbot \(reference)"
        func result(_ outcome: FixCheck.Outcome, _ detail: String, _ comment: String? = nil) -> FixCheck {
            FixCheck(kind: .syzbotStackChanged, outcome: outcome, subject: what, detail: detail,
                     line: reference.line, comment: outcome == .failed ? comment : nil)
        }
        guard let evidence else {
            return result(.notDone, "the report could not be fetched" + (fetchFailure.map { ": \($0)" } ?? ""))
        }
        let onStacks = stackFunctions(evidence)
        guard !onStacks.isEmpty else { return result(.notDone, "the report's stacks could not be read") }
        guard !patchFunctions.isEmpty else { return result(.notDone, "the patch changes no function body") }
        if let hit = patchFunctions.first(where: onStacks.contains) {
            return result(.passed, "the patch changes \(hit)(), which is on the report's stacks")
        }
        guard let callers else {
            return result(.notDone, "no function the patch changes is on the stacks, and there is no tree to look "
                + "up their callers (give --tree)")
        }
        for function in lookupOrder(evidence) {
            if let caller = callers[function]?.first(where: patchFunctions.contains) {
                return result(.passed, "the patch changes \(caller)(), which calls \(function)() from the report's stacks")
            }
        }
        let title = UntrustedText.oneLine(evidence.bug.title ?? evidence.reports.first?.headline ?? "the report")
        let shown = FixesChecks.list(lookupOrder(evidence).prefix(4).map { $0 + "()" }, joiner: "and")
        let changed = FixesChecks.list(patchFunctions.prefix(3).map { $0 + "()" }, joiner: "and")
        return result(.failed, "none of \(changed) is on the stacks or calls a function on them",
            "The syzbot report this patch closes (\(title)) shows \(shown) on its stacks, and this patch "
                + "changes \(changed), none of which is on those stacks or calls a function on them; "
                + "does it fix the crash the report shows?")
    }

    /// The functions of the bug's reports, machinery left out, access stack first.
    public static func stackFunctions(_ evidence: SyzbotBugEvidence) -> [String] {
        var seen = Set<String>()
        return evidence.reports.flatMap(\.functions).filter { seen.insert($0).inserted }
    }

    /// Functions whose callers are worth looking up, most telling first: the top frames of
    /// each stack (the access, then the free, then the allocation), before the syscall and
    /// netlink plumbing deeper down that every report shares.
    public static func lookupOrder(_ evidence: SyzbotBugEvidence) -> [String] {
        let roles: [ReportStack.Role] = [.access, .free, .allocation, .origin, .lockChain, .leakAllocation]
        var seen = Set<String>()
        var top: [String] = []
        for report in evidence.reports {
            if let frame = report.faultingFrame, !SyzbotReport.isMachinery(frame) { top.append(frame.function) }
            for role in roles {
                for stack in report.stacks(role) {
                    top += stack.frames.filter { !SyzbotReport.isMachinery($0) }.prefix(topFramesPerStack).map(\.function)
                }
            }
        }
        return (top + stackFunctions(evidence)).filter { seen.insert($0).inserted }
    }

    /// Frames of each stack looked at first: the function that crashed or freed and the few
    /// that called it; below them a stack is syscall or work-item plumbing.
    static let topFramesPerStack = 4
}
