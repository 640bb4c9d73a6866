import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

@Suite struct FindingDecodeTests {
    let good: JSONValue = ["findings": [[
        "file": "drivers/a.c", "anchor": "\tret = y_hw_init(chip);", "category": "resource-leak",
        "severity": "high", "comment": "Does this leak the card?", "evidence": "snd_card_new() above",
    ]]]

    @Test func decodesTheContract() throws {
        let findings = try ToolInput.findings(good)
        #expect(findings == [Finding(file: "drivers/a.c", anchor: "\tret = y_hw_init(chip);", category: .resourceLeak,
                                     severity: .high, comment: "Does this leak the card?", evidence: "snd_card_new() above")])
        #expect(try ToolInput.findings(["findings": []]).isEmpty)
    }

    @Test(arguments: [
        ("category", JSONValue.string("memory-leak"), "category \"memory-leak\""),
        ("severity", .string("critical"), "severity \"critical\""),
        ("comment", .number(3), "comment is missing or not a string"),
        ("line", .number(120), "unknown field \"line\""),
    ])
    func rejectsAnythingOutsideTheContract(key: String, value: JSONValue, message: String) throws {
        guard case .object(var top) = good, case .array(var items) = top["findings"]!,
              case .object(var item) = items[0] else { Issue.record("bad fixture"); return }
        item[key] = value
        items[0] = .object(item)
        top["findings"] = .array(items)
        let error = #expect(throws: ToolInputError.self) { try ToolInput.findings(.object(top)) }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test func decodesVerdictsStrictly() throws {
        #expect(try ToolInput.verdict(["verdict": "refuted", "reason": "freed in remove()"]) == (.refuted, "freed in remove()"))
        #expect(throws: ToolInputError.self) { try ToolInput.verdict(["verdict": "probably", "reason": "x"]) }
        #expect(throws: ToolInputError.self) { try ToolInput.verdict(["verdict": "confirmed"]) }
    }
}

@Suite struct AnchoringTests {
    func task() -> ReviewTask {
        let patch = Patch(files: [
            fileDiff("drivers/a.c", [hunk(oldStart: 100, newStart: 100, [
                " \terr = snd_card_new(dev, &card);", " \tif (err < 0)", " \t\treturn err;",
                "-\tret = 0;", "+\tret = y_hw_init(chip);   ", "+\tif (ret)", "+\t\treturn err;", " \treturn 0;",
            ])]),
            fileDiff("drivers/b.c", [hunk(["+\tif (ret)"])]),
        ])
        return PatchPlan.make(patch: patch, patchIndex: 0, title: "t").tasks[0]
    }

    func finding(_ anchor: String, file: String = "drivers/a.c") -> Finding {
        Finding(file: file, anchor: anchor, category: .errorHandling, severity: .medium, comment: "c")
    }

    @Test func anchorsByTextIgnoringTrailingWhitespace() throws {
        guard case .anchored(let result) = task().anchor(finding("\tret = y_hw_init(chip);")) else {
            Issue.record("not anchored"); return
        }
        #expect(result.line.kind == .added)
        #expect(result.line.newLine == 103)
        #expect(result.position == HunkSpan(fileIndex: 0, hunkIndex: 0, lines: 4..<5))
        guard case .anchored(let spaced) = task().anchor(finding("\t\treturn err; \t")) else {
            Issue.record("trailing whitespace in the anchor not ignored"); return
        }
        #expect(spaced.position.lines == 6..<7)
    }

    @Test func prefersTheLineInTheNamedFile() throws {
        guard case .anchored(let result) = task().anchor(finding("\tif (ret)", file: "drivers/b.c")) else {
            Issue.record("not anchored"); return
        }
        #expect(result.position.fileIndex == 1)
    }

    @Test func prefersAddedLinesOverContext() {
        let patch = Patch(files: [fileDiff("drivers/a.c", [hunk([" \treturn err;", "+\treturn err;"])])])
        let task = PatchPlan.make(patch: patch, patchIndex: 0, title: "t").tasks[0]
        guard case .anchored(let result) = task.anchor(finding("\treturn err;")) else { Issue.record("not anchored"); return }
        #expect(result.line.kind == .added)
    }

    @Test func dropsWhatIsNotALineOfTheDiff() {
        let task = task()
        #expect(task.anchor(finding("ret = y_hw_init(chip);")) == .dropped(.anchorNotFound))  // leading tab missing
        #expect(task.anchor(finding("+\tret = y_hw_init(chip);")) == .dropped(.anchorNotFound))  // marker kept
        #expect(task.anchor(finding("\tif (ret)\n\t\treturn err;")) == .dropped(.anchorNotFound))  // two lines
        #expect(task.anchor(finding("\tret = y_hw_init(chip);", file: "drivers/c.c")) == .dropped(.fileNotInTask))
    }
}

@Suite struct DedupeAndSelectionTests {
    func anchored(_ anchor: String, _ category: FindingCategory = .errorHandling, _ severity: Severity = .medium,
                  comment: String, in task: ReviewTask) -> AnchoredFinding {
        guard case .anchored(let result) = task.anchor(Finding(file: "drivers/a.c", anchor: anchor, category: category,
                                                               severity: severity, comment: comment)) else {
            fatalError("fixture does not anchor: \(anchor)")
        }
        return result
    }

    let task = PatchPlan.make(patch: Patch(files: [fileDiff("drivers/a.c", [hunk(["+a = 1;", "+b = 2;", "+c = 3;", "+d = 4;"])])]),
                              patchIndex: 0, title: "t").tasks[0]

    @Test func mergesSameLineAndCategoryKeepingTheHighestSeverity() {
        let merged = AnchoredFinding.mergingDuplicates([
            anchored("a = 1;", .bounds, .low, comment: "first", in: task),
            anchored("a = 1;", .bounds, .high, comment: "second wording", in: task),
            anchored("a = 1;", .logic, .low, comment: "a different problem entirely", in: task),
        ])
        #expect(merged.map(\.finding.comment) == ["second wording", "a different problem entirely"])
        #expect(merged.map(\.mergedCount) == [2, 1])
        #expect(merged[0].finding.severity == .high)
    }

    @Test func mergesNearIdenticalCommentsOnOtherLines() {
        let text = "Can this return without releasing the lock taken in foo_lock() above on the error path?"
        let merged = AnchoredFinding.mergingDuplicates([
            anchored("b = 2;", .locking, comment: text, in: task),
            anchored("c = 3;", .race, comment: text.replacingOccurrences(of: "Can this", with: "Does this"), in: task),
            anchored("d = 4;", .locking, comment: "Is b checked before use here?", in: task),
        ])
        #expect(merged.count == 2)
        #expect(merged[0].mergedCount == 2)
        #expect(AnchoredFinding.jaccard(AnchoredFinding.commentTokens("a b c d e"), AnchoredFinding.commentTokens("a b c d f")) < 0.8)
    }

    @Test func floorCapAndEarlierRevisionsAreCountedNotLost() {
        let findings: [Finding] = [
            Finding(file: "drivers/a.c", anchor: "a = 1;", category: .bounds, severity: .low, comment: "one"),
            Finding(file: "drivers/a.c", anchor: "b = 2;", category: .logic, severity: .high, comment: "two words"),
            Finding(file: "drivers/a.c", anchor: "c = 3;", category: .race, severity: .medium, comment: "three more words"),
            Finding(file: "drivers/a.c", anchor: "d = 4;", category: .security, severity: .high, comment: "four x y z"),
            Finding(file: "drivers/a.c", anchor: "e = 5;", category: .security, severity: .high, comment: "no such line"),
        ]
        guard case .anchored(let seen) = task.anchor(findings[3]) else { Issue.record("fixture"); return }
        let selection = FindingSelection(reports: [(task, findings)], earlierFingerprints: [seen.fingerprint.hex],
                                         floor: .medium)
        #expect(selection.kept.map(\.finding.comment) == ["two words", "three more words"])
        #expect(selection.dropped.map(\.reason) == [.anchorNotFound, .belowSeverityFloor, .reportedInEarlierRevision])
        let (kept, overCap) = selection.capped(at: 1)
        #expect(kept.map(\.finding.comment) == ["two words"])
        #expect(overCap.map(\.finding.comment) == ["three more words"])
        #expect(overCap.map(\.reason) == [.overPatchCap])
    }
}

@Suite struct FingerprintTests {
    func fingerprint(_ lines: [String], oldStart: Int = 10, file: String = "drivers/a.c",
                     category: FindingCategory = .resourceLeak, at index: Int) -> Fingerprint {
        Fingerprint(file: file, category: category, hunk: hunk(oldStart: oldStart, newStart: oldStart, lines), lineIndex: index)
    }

    let lines = [" \terr = snd_card_new(dev, &card);", " \tif (err < 0)", " \t\treturn err;",
                 "+\terr = y_hw_init(chip);", "+\tif (err)", "+\t\treturn err;", " \treturn 0;"]

    @Test func ignoresLineNumbersAndIndentation() {
        let base = fingerprint(lines, at: 3)
        #expect(fingerprint(lines, oldStart: 500, at: 3) == base)
        #expect(fingerprint(lines.map { $0.replacingOccurrences(of: "\t", with: "    ") }, at: 3) == base)
        #expect(fingerprint(lines, file: "./drivers//a.c", at: 3) == base)
        #expect(base.hex.count == 64)
    }

    @Test func changesWithTheCodeAroundTheAnchorTheFileOrTheCategory() {
        let base = fingerprint(lines, at: 3)
        var nearby = lines
        nearby[5] = "+\t\tgoto free_card;"
        #expect(fingerprint(nearby, at: 3) != base)
        #expect(fingerprint(lines, file: "drivers/b.c", at: 3) != base)
        #expect(fingerprint(lines, category: .errorHandling, at: 3) != base)
        #expect(fingerprint(lines, at: 4) != base)
        // A change outside the window does not matter.
        var far = lines
        far[0] = " \terr = snd_card_new(dev, &card2);"
        #expect(fingerprint(far, at: 4) == fingerprint(lines, at: 4))
    }
}
