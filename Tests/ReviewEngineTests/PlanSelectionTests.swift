import MboxParser
import Testing
@testable import ReviewEngine

/// Parts of a series the plan does not review, always listed with the reason: patches
/// left out with `--patches`, diff lines the parser could not place, mangled patches.
@Suite struct PlanSelectionTests {
    let twoFiles = Patch(files: [
        fileDiff("drivers/a.c", [hunk(function: "static int a_probe(void)", [" x", "+y", "-z", " w"])]),
        fileDiff("drivers/b.c", [hunk([" p", "+q"])]),
    ])

    @Test func patchesNotSelectedBecomeSkippedPartsCoveringEveryLine() {
        let reviewSeries = series([twoFiles, twoFiles, twoFiles])
        let plan = ReviewPlan.make(series: reviewSeries).selecting(patchIndices: [1], detail: "not selected (--patches 2)")
        #expect(plan.patches.map { $0.tasks.count } == [0, 1, 0])
        #expect(plan.tasks.map(\.id) == ["P2-T1"])
        for at in [0, 2] {
            #expect(plan.patches[at].skipped.map(\.reason) == [.notSelected, .notSelected])
            #expect(plan.patches[at].skipped.map(\.changedLineCount) == [2, 1])
            #expect(plan.patches[at].skipped.allSatisfy { $0.detail == "not selected (--patches 2)" })
        }
        #expect(plan.coverageViolations(for: reviewSeries).isEmpty)
    }

    @Test func unplacedDiffLinesAreListedAsUnparsed() {
        var patch = twoFiles
        patch.unplaced = [UnplacedDiffLines(file: "drivers/a.c", firstLine: 40, lineCount: 3, changedLineCount: 2,
                                            cause: .counts, reason: "line does not fit the hunk")]
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.tasks.count == 1, "what did parse is still reviewed")
        let skipped = plan.skipped.filter { $0.reason == .unparsed }
        #expect(skipped.count == 1)
        #expect(skipped.first?.changedLineCount == 2)
        #expect(skipped.first?.detail == "body lines 40-42 (3 lines, 2 changed): line does not fit the hunk")
    }

    @Test func aMangledPatchIsNotReviewedAtAll() {
        var patch = twoFiles
        patch.unplaced = [UnplacedDiffLines(file: "drivers/a.c", firstLine: 12, lineCount: 5, changedLineCount: 1,
                                            cause: .whitespaceDamaged, reason: "whitespace-damaged")]
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.tasks.isEmpty)
        #expect(plan.skipped.allSatisfy { $0.reason == .mangled })
        #expect(plan.skipped.reduce(0) { $0 + $1.changedLineCount } == 4)
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test(arguments: [
        ("static int s3c2410wdt_probe(struct platform_device *pdev)", "s3c2410wdt_probe"),
        ("MODULE_PARM_DESC(nowayout, \"Watchdog cannot be stopped once started (default=\"", "MODULE_PARM_DESC"),
        ("static const struct of_device_id s3c2410_wdt_match[] = {", "s3c2410_wdt_match"),
        ("struct s3c2410_wdt {", "struct s3c2410_wdt"),
        ("static int __init foo_init(void)", "foo_init"),
        ("#define FOO_REG(x)\t((x) * 4)", "FOO_REG"),
        ("", ""),
        ("}", ""),
    ])
    func functionNamesAreWhatAMaintainerCallsTheCode(context: String, name: String) {
        #expect(PatchPlan.functionName(context) == name)
    }

    @Test func taskScopesNameFunctionsNotCutLines() {
        let patch = Patch(files: [fileDiff("drivers/w.c", [
            hunk(function: "MODULE_PARM_DESC(nowayout, \"Watchdog cannot be stopped once started (default=\"", ["+a"]),
            hunk(oldStart: 80, newStart: 81, function: "static int w_probe(struct platform_device *pdev)", ["+b"]),
        ])])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.tasks.first?.scope == "drivers/w.c (MODULE_PARM_DESC, w_probe)")
    }
}
