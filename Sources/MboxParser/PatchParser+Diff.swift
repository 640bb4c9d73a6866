/// Finds and reads the diffs in the text after the commit message the way `git apply`
/// does: a file starts at a `diff --git` header or at `--- `/`+++ ` followed by `@@ -`;
/// a hunk is as long as its counts say, so whatever follows (a `-- ` signature, the next
/// file's header, notes) is never taken for diff lines.
struct DiffScanner {
    let lines: BodyLines
    private(set) var files: [FileDiff] = []
    /// Line ranges holding no diff: before the first file, between files, after the last.
    private(set) var gaps: [Range<Int>] = []
    private(set) var warnings: [String] = []
    /// Diff lines no hunk could take (see `PatchParser+Unplaced.swift`).
    var unplaced: [UnplacedDiffLines] = []
    /// git apply's `-p`: 1, or 0 once a traditional diff shows names without a directory.
    var paths: PathReader
    private var hunkCount = 0
    private var diffLineCount = 0
    private var limitReached = false
    let limits: PatchLimits

    init(lines: BodyLines, limits: PatchLimits) {
        self.lines = lines
        self.limits = limits
        paths = PathReader(maxPathBytes: limits.maxPathBytes)
    }

    mutating func scan(_ range: Range<Int>) {
        var line = range.lowerBound
        var gapStart = line
        while line < range.upperBound, !limitReached {
            guard let (header, next) = fileHeader(at: line, end: range.upperBound) else {
                if lines.hasPrefix(line, "@@ -"), HunkHeader(lines, line) != nil {
                    warn(line, "hunk without a file header; git apply refuses such a patch")
                    // Its lines are diff lines nobody will review: list them.
                    let stop = unplacedRunEnd(from: line + 1, end: range.upperBound)
                    recordUnplaced(file: files.last?.path ?? "", line, stop, cause: .noFileHeader,
                                   problem: "a hunk with no file header before it")
                    line = stop
                    continue
                }
                line += 1
                continue
            }
            guard files.count < limits.maxFiles else {
                warn(line, "more than \(limits.maxFiles) files; the rest is not read")
                break
            }
            gaps.append(gapStart..<line)
            var file = header
            line = readHunks(into: &file, from: next, end: range.upperBound)
            if file.hunks.isEmpty { line = readBinary(into: &file, from: line, end: range.upperBound) }
            file.status = Self.status(of: file)
            files.append(file)
            gapStart = line
        }
        gaps.append(gapStart..<max(gapStart, range.upperBound))
    }

    mutating func warn(_ line: Int, _ message: String) {
        warnings.append("line \(line + 1): \(message)")
    }

    private static func status(of file: FileDiff) -> FileDiff.Status {
        if file.status != .modified { return file.status }
        if file.hunks.isEmpty, !file.isBinary, let old = file.oldMode, let new = file.newMode, old != new {
            return .mode
        }
        return .modified
    }

    // MARK: Headers

    /// The file header starting at `line`, and the line after it; nil when git would not
    /// start a file there.
    private mutating func fileHeader(at line: Int, end: Int) -> (FileDiff, Int)? {
        guard lines.length(line) >= 5 else { return nil }
        if lines.hasPrefix(line, "diff --git ") { return gitHeader(at: line, end: end) }
        guard lines.hasPrefix(line, "--- "), line + 2 < end, lines.hasPrefix(line + 1, "+++ "),
              lines.hasPrefix(line + 2, "@@ -") else { return nil }
        return traditionalHeader(at: line)
    }

    /// `diff --git a/P b/P` and its extended header lines, up to the first line that is
    /// none of them (a hunk, `GIT binary patch`, anything else).
    private mutating func gitHeader(at first: Int, end: Int) -> (FileDiff, Int)? {
        var header = GitHeader()
        let nameStart = lines.starts[first] + 11
        header.defaultName = paths.gitHeaderName(lines, nameStart, lines.ends[first], p: paths.p)
        var line = first + 1
        scan: while line < end {
            let start = lines.starts[line], stop = lines.ends[line]
            func rest(_ prefix: StaticString) -> Int? {
                lines.hasPrefix(at: start, end: stop, prefix) ? start + prefix.utf8CodeUnitCount : nil
            }
            if rest("@@ -") != nil { break scan }
            if let at = rest("--- ") {
                verify(&header.oldName, at, stop, isNull: header.isNew, line: line, side: "old")
            } else if let at = rest("+++ ") {
                verify(&header.newName, at, stop, isNull: header.isDelete, line: line, side: "new")
            } else if let at = rest("old mode ") {
                header.file.oldMode = mode(at, stop)
            } else if let at = rest("new mode ") {
                header.file.newMode = mode(at, stop)
            } else if let at = rest("deleted file mode ") {
                header.isDelete = true
                header.oldName = header.defaultName
                header.file.oldMode = mode(at, stop)
            } else if let at = rest("new file mode ") {
                header.isNew = true
                header.newName = header.defaultName
                header.file.newMode = mode(at, stop)
            } else if let at = rest("copy from ") {
                header.file.status = .copied
                header.oldName = paths.name(lines, at, stop, p: max(paths.p - 1, 0), stopAtTab: false)
            } else if let at = rest("copy to ") {
                header.file.status = .copied
                header.newName = paths.name(lines, at, stop, p: max(paths.p - 1, 0), stopAtTab: false)
            } else if let at = rest("rename from ") ?? rest("rename old ") {
                header.file.status = .renamed
                header.oldName = paths.name(lines, at, stop, p: max(paths.p - 1, 0), stopAtTab: false)
            } else if let at = rest("rename to ") ?? rest("rename new ") {
                header.file.status = .renamed
                header.newName = paths.name(lines, at, stop, p: max(paths.p - 1, 0), stopAtTab: false)
            } else if let at = rest("similarity index ") {
                header.file.similarity = number(at, stop)
            } else if let at = rest("dissimilarity index ") {
                header.file.dissimilarity = number(at, stop)
            } else if let at = rest("index ") {
                readIndexLine(&header.file, at, stop)
            } else {
                break scan
            }
            line += 1
        }
        // git: a `diff --git` line with no header line after it starts nothing.
        guard line > first + 1 else { return nil }
        guard let file = header.finish(first: first, scanner: &self) else { return nil }
        return (file, line)
    }

    /// `--- name` / `+++ name` without a `diff --git` line (quilt, CVS, GNU diff, hg).
    private mutating func traditionalHeader(at line: Int) -> (FileDiff, Int)? {
        let oldStart = lines.starts[line] + 4, oldEnd = lines.ends[line]
        let newStart = lines.starts[line + 1] + 4, newEnd = lines.ends[line + 1]
        paths.guessP(lines, oldStart, oldEnd, newStart, newEnd)
        var file = FileDiff(oldPath: nil, newPath: nil, status: .modified)
        if PathReader.isDevNull(lines, oldStart, oldEnd) {
            file.status = .added
            file.newPath = paths.traditionalName(lines, newStart, newEnd, default: nil)
        } else if PathReader.isDevNull(lines, newStart, newEnd) {
            file.status = .deleted
            file.oldPath = paths.traditionalName(lines, oldStart, oldEnd, default: nil)
        } else {
            let oldName = paths.traditionalName(lines, oldStart, oldEnd, default: nil)
            let name = paths.traditionalName(lines, newStart, newEnd, default: oldName)
            if PathReader.hasEpochTimestamp(lines, oldStart, oldEnd) {
                file.status = .added
                file.newPath = name
            } else if PathReader.hasEpochTimestamp(lines, newStart, newEnd) {
                file.status = .deleted
                file.oldPath = name
            } else {
                file.oldPath = name
                file.newPath = name
            }
        }
        guard file.oldPath != nil || file.newPath != nil else {
            warn(line, "no file name in the ---/+++ lines; git apply refuses such a patch")
            return nil
        }
        return (file, line + 2)
    }

    /// git's `gitdiff_verify_name`: `---`/`+++` must agree with what the header said.
    private mutating func verify(_ name: inout String?, _ start: Int, _ end: Int, isNull: Bool, line: Int,
                                 side: String) {
        if name == nil, !isNull {
            name = paths.name(lines, start, end, p: paths.p, stopAtTab: true)
        } else if let known = name {
            let other = paths.name(lines, start, end, p: paths.p, stopAtTab: true)
            if isNull || other != known { warn(line, "\(side) file name disagrees with the diff --git line") }
        } else if !PathReader.isDevNull(lines, start, end) {
            warn(line, "expected /dev/null for the \(side) side")
        }
    }

    /// `index abc123..def456 100644`.
    private func readIndexLine(_ file: inout FileDiff, _ start: Int, _ end: Int) {
        var dots = start
        while dots + 1 < end, !(lines.bytes[dots] == UInt8(ascii: ".") && lines.bytes[dots + 1] == UInt8(ascii: ".")) {
            dots += 1
        }
        guard dots + 1 < end, dots - start <= 64 else { return }
        var space = dots + 2
        while space < end, lines.bytes[space] != 0x20 { space += 1 }
        guard space - dots - 2 <= 64 else { return }
        file.oldIndex = lines.string(start, dots)
        file.newIndex = lines.string(dots + 2, space)
        if space < end, let mode = mode(space + 1, end) {
            if file.oldMode == nil { file.oldMode = mode }
            if file.newMode == nil { file.newMode = mode }
        }
    }

    private func mode(_ start: Int, _ end: Int) -> String? {
        var stop = start
        while stop < end, lines.bytes[stop] >= UInt8(ascii: "0"), lines.bytes[stop] <= UInt8(ascii: "7") { stop += 1 }
        return stop > start && stop - start <= 8 ? lines.string(start, stop) : nil
    }

    private func number(_ start: Int, _ end: Int) -> Int? {
        var value = 0, at = start
        while at < end, at - start < 9, isDigit(lines.bytes[at]) {
            value = value * 10 + Int(lines.bytes[at] - 0x30)
            at += 1
        }
        return at > start ? value : nil
    }

    // MARK: Hunks

    /// Hunks follow the header and each other directly, as in git's `parse_single_patch`.
    /// Where a hunk breaks (lines that do not fit its counts, a header that does not
    /// parse), the lines up to the next hunk or file are recorded as unplaced and reading
    /// goes on with the next hunk, so one bad hunk costs only its own lines.
    private mutating func readHunks(into file: inout FileDiff, from first: Int, end: Int) -> Int {
        var line = first
        while line < end {
            guard let header = HunkHeader(lines, line) else {
                guard lines.hasPrefix(line, "@@ -") else { break }
                warn(line, "hunk header does not parse (a count too long or malformed); git apply refuses it")
                let stop = unplacedRunEnd(from: line + 1, end: end)
                recordUnplaced(file: file.path, line, stop, cause: .unreadableHeader,
                               problem: "the hunk header does not parse (a count too long or malformed)")
                line = stop
                continue
            }
            guard hunkCount < limits.maxHunks else {
                warn(line, "more than \(limits.maxHunks) hunks; the rest is not read")
                recordUnplaced(file: file.path, line, end, cause: .limit,
                               problem: "more than \(limits.maxHunks) hunks in the patch; the rest is not read")
                limitReached = true
                return end
            }
            hunkCount += 1
            var hunk = Hunk(oldStart: header.oldStart, oldCount: header.oldCount, newStart: header.newStart,
                            newCount: header.newCount,
                            functionContext: lines.string(header.contextStart, lines.ends[line]))
            let (next, problem) = readHunkLines(&hunk, from: line + 1, end: end)
            file.hunks.append(hunk)
            let headerLine = line
            line = next
            guard let problem else {
                if hunk.lines.allSatisfy({ $0.kind == .context || $0.kind == .noNewlineMarker }) {
                    warn(headerLine, "hunk changes nothing; git apply refuses such a patch")
                }
                continue
            }
            warn(next, problem)
            if limitReached {
                recordUnplaced(file: file.path, next, end, cause: .limit, problem: problem)
                return end
            }
            if next >= end {
                let missing = (hunk.oldCount - hunk.lines.filter { $0.kind != .added && $0.kind != .noNewlineMarker }.count,
                               hunk.newCount - hunk.lines.filter { $0.kind != .removed && $0.kind != .noNewlineMarker }.count)
                unplaced.append(UnplacedDiffLines(
                    file: file.path, firstLine: end, lineCount: 0, changedLineCount: 0, cause: .truncated,
                    reason: "the patch ends inside a hunk: \(missing.0) old and \(missing.1) new lines its header "
                        + "promises are missing (a cut or truncated mail)"))
                return next
            }
            let stop = unplacedRunEnd(from: next, end: end)
            if stop > next {
                recordUnplaced(file: file.path, next, stop, cause: .counts, problem: problem)
            }
            line = stop
        }
        return line
    }

    /// Reads lines until both counts are used up; returns where it stopped and, for a
    /// hunk git would call corrupt, why.
    private mutating func readHunkLines(_ hunk: inout Hunk, from first: Int, end: Int) -> (Int, String?) {
        var oldLeft = hunk.oldCount, newLeft = hunk.newCount
        var oldLine = hunk.oldStart, newLine = hunk.newStart
        hunk.lines.reserveCapacity(min(oldLeft + newLeft, 4_096))
        var line = first
        while oldLeft > 0 || newLeft > 0 {
            guard line < end else { return (line, "hunk ends before its header's line counts are used up") }
            guard diffLineCount < limits.maxDiffLines else {
                limitReached = true
                return (line, "more than \(limits.maxDiffLines) diff lines; the rest is not read")
            }
            let start = lines.starts[line], stop = lines.ends[line]
            let marker = start < stop ? lines.bytes[start] : UInt8(ascii: " ")
            let text = start < stop ? lines.string(start + 1, stop) : ""
            switch marker {
            // An empty line is a blank context line whose space was lost (git apply agrees).
            case UInt8(ascii: " ") where oldLeft > 0 && newLeft > 0:
                hunk.lines.append(DiffLine(kind: .context, text: text, oldLine: oldLine, newLine: newLine))
                oldLine += 1
                newLine += 1
                oldLeft -= 1
                newLeft -= 1
            case UInt8(ascii: "-") where oldLeft > 0:
                hunk.lines.append(DiffLine(kind: .removed, text: text, oldLine: oldLine))
                oldLine += 1
                oldLeft -= 1
            case UInt8(ascii: "+") where newLeft > 0:
                hunk.lines.append(DiffLine(kind: .added, text: text, newLine: newLine))
                newLine += 1
                newLeft -= 1
            case UInt8(ascii: "\\") where isNoNewlineMarker(line):
                hunk.lines.append(DiffLine(kind: .noNewlineMarker, text: text))
            default:
                return (line, "line does not fit the hunk (\(oldLeft) old and \(newLeft) new lines still expected)")
            }
            diffLineCount += 1
            line += 1
        }
        // A last line without newline is marked right after the counts run out.
        if line < end, isNoNewlineMarker(line) {
            hunk.lines.append(DiffLine(kind: .noNewlineMarker, text: lines.string(line: line, from: 1)))
            line += 1
        }
        return (line, nil)
    }

    /// `\ No newline at end of file`, in whatever language: git only checks `\ ` and length.
    private func isNoNewlineMarker(_ line: Int) -> Bool {
        lines.hasPrefix(line, "\\ ") && lines.length(line) >= 11
    }

    // MARK: Binary

    /// `GIT binary patch` with its forward (and optional reverse) block, or a
    /// `Binary files a and b differ` line.
    private mutating func readBinary(into file: inout FileDiff, from first: Int, end: Int) -> Int {
        guard first < end else { return first }
        if lines.equals(first, "GIT binary patch") {
            var line = first + 1
            while file.binaryHunks.count < 2, line < end, let hunk = readBinaryHunk(from: &line, end: end) {
                file.binaryHunks.append(hunk)
            }
            if file.binaryHunks.isEmpty { warn(first + 1, "GIT binary patch without literal or delta data") }
            file.isBinary = true
            return line
        }
        if lines.hasPrefix(first, "Binary files ") || lines.hasPrefix(first, "Files "),
           lines.length(first) >= 7,
           lines.hasPrefix(at: lines.ends[first] - 7, end: lines.ends[first], " differ") {
            file.isBinary = true
            return first + 1
        }
        return first
    }

    /// `literal N` or `delta N`, base85 lines (a length letter, then groups of five), and
    /// the blank line that ends the block.
    private mutating func readBinaryHunk(from line: inout Int, end: Int) -> BinaryHunk? {
        let method: BinaryHunk.Method
        let sizeStart: Int
        if lines.hasPrefix(line, "literal ") {
            method = .literal
            sizeStart = lines.starts[line] + 8
        } else if lines.hasPrefix(line, "delta ") {
            method = .delta
            sizeStart = lines.starts[line] + 6
        } else {
            return nil
        }
        var hunk = BinaryHunk(method: method, size: number(sizeStart, lines.ends[line]) ?? 0, lineCount: 0)
        line += 1
        while line < end, !lines.isEmpty(line) {
            let length = lines.length(line)
            let lengthByte = lines.byte(line, 0)
            let isLengthLetter = (lengthByte >= UInt8(ascii: "A") && lengthByte <= UInt8(ascii: "Z"))
                || (lengthByte >= UInt8(ascii: "a") && lengthByte <= UInt8(ascii: "z"))
            guard length >= 6, (length - 1) % 5 == 0, isLengthLetter else {
                warn(line, "line is not base85 data of a GIT binary patch")
                return hunk
            }
            hunk.lineCount += 1
            line += 1
        }
        if line < end {
            line += 1
        } else {
            warn(line - 1, "GIT binary patch data ends without its blank line; git apply refuses it")
        }
        return hunk
    }
}

/// The header lines of one `diff --git` file, before names are settled.
private struct GitHeader {
    var file = FileDiff(oldPath: nil, newPath: nil, status: .modified)
    var defaultName: String?
    var oldName: String?
    var newName: String?
    var isNew = false
    var isDelete = false

    /// git's rules once the header ends: names from `---`/`+++`/rename/copy, else the
    /// name the `diff --git` line repeats. What git refuses is kept when a name can be
    /// had at all (a diff made without a/ b/ prefixes), with a warning.
    mutating func finish(first: Int, scanner: inout DiffScanner) -> FileDiff? {
        if oldName == nil, newName == nil {
            if defaultName == nil {
                let lines = scanner.lines
                defaultName = scanner.paths.gitHeaderName(lines, lines.starts[first] + 11, lines.ends[first], p: 0)
                guard defaultName != nil else {
                    scanner.warn(first, "diff --git line names no file; git apply refuses such a patch")
                    return nil
                }
                scanner.warn(first, "diff --git line has no a/ and b/ prefixes; git apply refuses such a patch")
            }
            oldName = isNew ? nil : defaultName
            newName = isDelete ? nil : defaultName
        }
        if (newName == nil && !isDelete) || (oldName == nil && !isNew) {
            scanner.warn(first, "diff --git header lacks a file name; git apply refuses such a patch")
            newName = newName ?? oldName
            oldName = oldName ?? newName
        }
        file.oldPath = isNew ? nil : oldName
        file.newPath = isDelete ? nil : newName
        if isNew { file.status = .added } else if isDelete { file.status = .deleted }
        return file
    }
}

/// `@@ -l[,s] +l[,s] @@ function context`; a missing count means 1.
struct HunkHeader {
    var oldStart = 0, oldCount = 1, newStart = 0, newCount = 1
    /// Where the function context starts (after ` @@` and one space).
    var contextStart = 0

    init?(_ lines: BodyLines, _ line: Int) {
        guard lines.hasPrefix(line, "@@ -") else { return nil }
        let end = lines.ends[line]
        var at = lines.starts[line] + 4
        func number(_ value: inout Int) -> Bool {
            let first = at
            var result = 0
            while at < end, isDigit(lines.bytes[at]) {
                guard at - first < 18 else { return false }
                result = result * 10 + Int(lines.bytes[at] - 0x30)
                at += 1
            }
            value = result
            return at > first
        }
        func range(_ start: inout Int, _ count: inout Int, then expected: StaticString) -> Bool {
            guard number(&start) else { return false }
            if at < end, lines.bytes[at] == UInt8(ascii: ",") {
                at += 1
                guard number(&count) else { return false }
            }
            guard lines.hasPrefix(at: at, end: end, expected) else { return false }
            at += expected.utf8CodeUnitCount
            return true
        }
        guard range(&oldStart, &oldCount, then: " +"), range(&newStart, &newCount, then: " @@") else { return nil }
        if at < end, lines.bytes[at] == 0x20 { at += 1 }
        contextStart = at
    }
}
