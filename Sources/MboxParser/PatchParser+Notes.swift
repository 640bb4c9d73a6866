/// What lies between the `---` separator and the diffs (notes, diffstat), after the
/// diffs (signature), and the format-patch `--base` / b4 lines anywhere in there.
extension BodyReader {
    mutating func readAfterMessage(from breakLine: Int) {
        guard breakLine < lines.count else { return }
        let start = isSeparator(breakLine) ? breakLine + 1 : breakLine
        var scanner = DiffScanner(lines: lines, limits: limits)
        scanner.scan(start..<lines.count)
        patch.files = scanner.files
        patch.warnings += scanner.warnings
        patch.unplaced = scanner.unplaced
        let gaps = scanner.gaps
        var notesEnd = gaps[0].upperBound
        if !patch.files.isEmpty {
            // Quilt `Index:`/`====`, CVS `RCS file:` and `diff -r` lines belong to the diff.
            while notesEnd > gaps[0].lowerBound, lines.isBlank(notesEnd - 1) || isFilePreamble(notesEnd - 1) {
                notesEnd -= 1
            }
            patch.trailingText = lines.text(lines.trimmingBlankLines(gaps[gaps.count - 1]))
        }
        readNotes(gaps[0].lowerBound..<notesEnd, beforeDiff: !patch.files.isEmpty)
        for gap in gaps { readSeriesLines(gap) }
    }

    private mutating func readNotes(_ range: Range<Int>, beforeDiff: Bool) {
        guard let summary = range.first(where: { Diffstat.isSummaryLine(lines, $0) }) else {
            patch.notes = lines.text(lines.trimmingBlankLines(range))
            return
        }
        var statStart = summary
        while statStart > range.lowerBound, Diffstat.isFileLine(lines, statStart - 1) { statStart -= 1 }
        var statEnd = summary + 1
        while statEnd < range.upperBound, Diffstat.isModeLine(lines, statEnd) { statEnd += 1 }
        patch.diffstat = (statStart..<statEnd).map { lines.string(line: $0) }
        let before = lines.text(lines.trimmingBlankLines(range.lowerBound..<statStart))
        let after = lines.text(lines.trimmingBlankLines(statEnd..<range.upperBound))
        if beforeDiff {
            // Notes written below the diffstat are still notes.
            patch.notes = [before, after].filter { !$0.isEmpty }.joined(separator: "\n")
        } else {
            // No diff (a cover letter): what follows the diffstat is its signature.
            patch.notes = before
            patch.trailingText = after
        }
    }

    private func isFilePreamble(_ line: Int) -> Bool {
        lines.hasPrefix(line, "Index: ") || lines.hasPrefix(line, "====") || lines.hasPrefix(line, "diff ")
            || lines.hasPrefix(line, "RCS file: ") || lines.hasPrefix(line, "retrieving revision ")
    }

    /// `base-commit:`, `prerequisite-patch-id:` (format-patch --base) and b4's `change-id:`.
    mutating func readSeriesLines(_ range: Range<Int>) {
        for line in range where lines.length(line) > 10 {
            switch lines.byte(line, 0) {
            case UInt8(ascii: "b") where lines.hasPrefix(line, "base-commit: "):
                patch.baseCommit = lines.trimmedString(lines.starts[line] + 13, lines.ends[line])
            case UInt8(ascii: "p") where lines.hasPrefix(line, "prerequisite-patch-id: "):
                patch.prerequisitePatchIDs.append(lines.trimmedString(lines.starts[line] + 23, lines.ends[line]))
            case UInt8(ascii: "c") where lines.hasPrefix(line, "change-id: "):
                patch.changeID = lines.trimmedString(lines.starts[line] + 11, lines.ends[line])
            default:
                break
            }
        }
    }
}
