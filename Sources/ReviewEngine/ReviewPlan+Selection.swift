import Foundation
import MboxParser

extension ReviewPlan {
    /// The plan with only the patches at `patchIndices` reviewed: every task of the others
    /// becomes a skipped part saying why (`detail`), so they are listed as not reviewed and
    /// never counted as reviewed.
    public func selecting(patchIndices: Set<Int>, detail: String) -> ReviewPlan {
        var plan = self
        for at in plan.patches.indices where !patchIndices.contains(plan.patches[at].patchIndex) {
            plan.patches[at] = plan.patches[at].skippingAll(reason: .notSelected, detail: detail)
        }
        return plan
    }
}

extension PatchPlan {
    /// Every task turned into skipped parts with `reason`, one per file, in diff order;
    /// parts skipped before keep their own reason.
    public func skippingAll(reason: SkipReason, detail: String) -> PatchPlan {
        var skipped: [SkippedPart] = []
        for task in tasks {
            for slice in task.hunks {
                let changed = slice.changedLineCount
                if let last = skipped.last, last.file == slice.file, last.reason == reason {
                    skipped[skipped.count - 1].spans.append(slice.owned)
                    skipped[skipped.count - 1].changedLineCount += changed
                } else {
                    skipped.append(SkippedPart(patchIndex: patchIndex, file: slice.file, reason: reason, detail: detail,
                                               spans: [slice.owned], changedLineCount: changed))
                }
            }
        }
        return PatchPlan(patchIndex: patchIndex, title: title, tasks: [], skipped: skipped + self.skipped)
    }
}
