import MboxParser
import Testing
@testable import ReviewEngine

@Suite struct PlanningTests {
    /// A hunk of `count` added statements in one function, with a blank line every
    /// `blankEvery` lines and a new function every `functionEvery` lines.
    func bigHunk(count: Int, blankEvery: Int = 0, functionEvery: Int = 0) -> Hunk {
        var lines: [String] = [" static int setup(struct dev *d)", " {"]
        for index in 0..<count {
            if functionEvery > 0, index > 0, index % functionEvery == 0 {
                lines += ["+}", "+", "+static int part_\(index)(struct dev *d)", "+{"]
            } else if blankEvery > 0, index % blankEvery == blankEvery - 1 {
                lines.append("+")
            } else {
                lines.append("+\tret = step_\(index)(d);")
            }
        }
        lines.append(" }")
        return hunk(lines)
    }

    @Test func smallPatchIsOneTaskCoveringEveryChangedLine() {
        let patch = Patch(files: [
            fileDiff("drivers/a.c", [hunk(function: "static int a_probe(void)", [" x", "+y", "-z", " w"])]),
            fileDiff("drivers/b.c", [hunk([" p", "+q"])]),
        ])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.tasks.count == 1)
        #expect(plan.tasks[0].id == "P1-T1")
        #expect(plan.tasks[0].files == ["drivers/a.c", "drivers/b.c"])
        #expect(plan.tasks[0].changedLineCount == 3)
        #expect(plan.skipped.isEmpty)
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test func tasksStayWithinTheBudgetAndKeepFunctionsTogether() {
        let patch = Patch(files: [fileDiff("drivers/a.c", [
            hunk(oldStart: 10, newStart: 10, function: "int one(void)", ["+a", "+b", "+c"]),
            hunk(oldStart: 40, newStart: 43, function: "int two(void)", ["+d", "+e", "+f"]),
            hunk(oldStart: 80, newStart: 86, function: "int two(void)", ["+g"]),
        ])])
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = 4
        let plan = PatchPlan.make(patch: patch, patchIndex: 2, title: "t", options: options)
        // "one" (3) cannot take "two" (4) without passing 4; "two"'s two hunks stay together.
        #expect(plan.tasks.map(\.changedLineCount) == [3, 4])
        #expect(plan.tasks.map(\.id) == ["P3-T1", "P3-T2"])
        #expect(plan.tasks[1].hunks.map(\.function) == ["int two(void)", "int two(void)"])
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test func hugeHunkSplitsAtFunctionBoundaries() {
        let big = bigHunk(count: 600, functionEvery: 100)
        let patch = Patch(files: [fileDiff("drivers/big.c", [big])])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.tasks.count >= 3)
        #expect(plan.tasks.allSatisfy { $0.changedLineCount <= 250 })
        #expect(plan.coverageViolations(for: patch).isEmpty)
        // Every slice after the first starts at a function boundary: right after a `}` or
        // blank line, or on a function's first line.
        let slices = plan.tasks.flatMap(\.hunks).dropFirst()
        for slice in slices {
            let start = slice.owned.lines.lowerBound
            #expect(PatchPlan.isCutPoint(big.lines, before: start), "slice starts at \(big.lines[start].text)")
        }
        // Each slice shows context lines before its first owned line.
        #expect(slices.allSatisfy { $0.shown.lowerBound == $0.owned.lines.lowerBound - 3 })
        #expect(slices.allSatisfy { $0.function.hasPrefix("static int part_") })
    }

    @Test func hugeHunkWithoutBoundariesIsCutAtTheBudget() {
        let big = bigHunk(count: 600)
        let patch = Patch(files: [fileDiff("drivers/flat.c", [big])])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.tasks.map(\.changedLineCount) == [250, 250, 100])
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test func renderedSliceHasAValidHeader() {
        let big = bigHunk(count: 300)
        let plan = PatchPlan.make(patch: Patch(files: [fileDiff("drivers/flat.c", [big])]), patchIndex: 0, title: "t")
        let second = plan.tasks[1].hunks[0]
        let lines = second.renderedHunk.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let header = String(lines.first!)
        // 3 lines of context before the owned 50 changed lines and the closing brace after.
        #expect(header == "@@ -12,1 +259,54 @@ static int setup(struct dev *d)")
        #expect(lines.count == 55)
        #expect(plan.tasks[1].renderedDiff.hasPrefix("diff --git a/drivers/flat.c b/drivers/flat.c\n--- a/drivers/flat.c\n+++ b/drivers/flat.c\n@@"))
    }

    @Test func sliceOfANewFileNamesTheEmptyOldSideLikeGit() {
        let added = hunk(oldStart: 0, newStart: 1, (1...300).map { "+\tline_\($0)();" })
        let plan = PatchPlan.make(patch: Patch(files: [fileDiff("drivers/new.c", [added])]), patchIndex: 0, title: "t")
        #expect(plan.tasks.map { $0.hunks[0].renderedHunk.prefix { $0 != "\n" } } == [
            "@@ -0,0 +1,253 @@", "@@ -0,0 +248,53 @@",
        ])
    }

    @Test func binaryGeneratedAndVendoredFilesAreListedNotDropped() {
        let patch = Patch(files: [
            fileDiff("firmware/x.bin", [], binary: true),
            fileDiff("tools/web/app.min.js", [hunk(["+a"])]),
            fileDiff("drivers/vendor/lib.c", [hunk(["+b", "+c"])]),
            fileDiff("drivers/regs.h", [hunk(oldStart: 1, newStart: 1, ["+/* This file is generated by regtool. DO NOT EDIT. */", "+#define X 1"])]),
            fileDiff("drivers/real.c", [hunk(oldStart: 1, newStart: 1, ["+// SPDX-License-Identifier: GPL-2.0", "+int x;"])]),
        ])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.skipped.map(\.reason) == [.binary, .generated, .vendored, .generated])
        #expect(plan.skipped.map(\.file) == ["firmware/x.bin", "tools/web/app.min.js", "drivers/vendor/lib.c", "drivers/regs.h"])
        #expect(plan.skipped.map(\.changedLineCount) == [0, 1, 2, 2])
        #expect(plan.tasks.flatMap(\.files) == ["drivers/real.c"])
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test func generatedMarkerFarDownTheFileDoesNotSkipIt() {
        let patch = Patch(files: [fileDiff("drivers/a.c", [hunk(oldStart: 300, newStart: 300, ["+/* the IRQ generated by the device */"])])])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        #expect(plan.skipped.isEmpty)
        #expect(plan.tasks.count == 1)
    }

    @Test func partsPastThePerPatchLimitAreSkippedAsOverBudget() {
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = 10
        options.maxChangedLinesPerPatch = 25
        let patch = Patch(files: [fileDiff("drivers/big.c", [bigHunk(count: 40)])])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t", options: options)
        #expect(plan.tasks.map(\.changedLineCount) == [10, 10])
        #expect(plan.skipped.map(\.reason) == [.overBudget, .overBudget])
        #expect(plan.skipped.map(\.changedLineCount) == [10, 10])
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test func sliceOverTheTokenLimitIsSkippedAsOverBudget() {
        var options = PlanningOptions()
        options.maxTaskTokens = 100
        let long = String(repeating: "0x00, ", count: 200)
        let patch = Patch(files: [fileDiff("drivers/fw.c", [hunk(["+" + long])]), fileDiff("drivers/ok.c", [hunk(["+x"])])])
        let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t", options: options)
        #expect(plan.skipped.map(\.reason) == [.overBudget])
        #expect(plan.skipped[0].file == "drivers/fw.c")
        #expect(plan.tasks.flatMap(\.files) == ["drivers/ok.c"])
        #expect(plan.coverageViolations(for: patch).isEmpty)
    }

    @Test func coverageCheckCatchesLostAndDoubledLines() {
        let patch = Patch(files: [fileDiff("drivers/big.c", [bigHunk(count: 600)])])
        var plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t")
        var lost = plan
        lost.tasks.removeLast()
        #expect(lost.coverageViolations(for: patch).count == 100)
        #expect(lost.coverageViolations(for: patch).allSatisfy { $0.occurrences == 0 })
        plan.tasks.append(plan.tasks[0])
        #expect(plan.coverageViolations(for: patch).count == 250)
        #expect(plan.coverageViolations(for: patch).allSatisfy { $0.occurrences == 2 })
    }

    @Test(arguments: [1, 3, 7, 250])
    func everyChangedLineIsInExactlyOneTaskOrSkipped(budget: Int) {
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = budget
        options.maxChangedLinesPerPatch = 1_500
        var sawSplit = false, sawSkip = false
        for seed in UInt64(1)...60 {
            let patch = generatedPatch(seed: seed)
            let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: "t", options: options)
            #expect(plan.coverageViolations(for: patch).isEmpty, "seed \(seed)")
            #expect(plan.tasks.allSatisfy { $0.changedLineCount <= budget && $0.changedLineCount > 0 }, "seed \(seed)")
            sawSplit = sawSplit || plan.tasks.contains { $0.hunks.contains { $0.owned.lines.count < $0.hunk.lines.count } }
            sawSkip = sawSkip || !plan.skipped.isEmpty
        }
        // The generator must exercise splitting and skipping, or the property proves little.
        #expect(sawSplit)
        #expect(sawSkip)
    }

    @Test func seriesPlanCoversEveryPatch() {
        let patches = (1...5).map { generatedPatch(seed: $0 * 1_000) }
        let reviewSeries = series(patches)
        let plan = ReviewPlan.make(series: reviewSeries)
        #expect(plan.patches.count == 5)
        #expect(plan.coverageViolations(for: reviewSeries).isEmpty)
        #expect(plan.tasks.allSatisfy { plan.patches[$0.patchIndex].tasks.contains($0) })
        #expect(plan.estimatedTaskTokens == plan.tasks.reduce(0) { $0 + ($1.renderedDiff.utf8.count + 3) / 4 })
    }
}
