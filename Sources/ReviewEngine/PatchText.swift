import MboxParser

/// The raw lines of a patch mail's body, indexed by the parsed diff, so that drafts quote
/// the patch byte for byte instead of re-printing parsed values.
public struct PatchText: Sendable {
    /// Where one file's diff stands in the body.
    public struct FileSpan: Sendable, Equatable {
        /// `diff --git`, `---` and `+++` lines (what a reply quotes above a hunk).
        public var headerLines: [Int]
        /// Per hunk: the index of its `@@` line; its body follows directly.
        public var hunkHeaders: [Int]
    }

    public let lines: [Substring]
    /// One entry per `Patch.files` element; nil when the file could not be located.
    public let files: [FileSpan?]
    /// Lines of the commit message, for commit-message findings.
    public let commitMessageLines: Range<Int>

    public init(body: String, patch: Patch) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        self.lines = lines
        var spans: [FileSpan?] = []
        var cursor = 0
        for file in patch.files {
            guard let (span, end) = Self.locate(file, in: lines, from: cursor) else {
                spans.append(nil)
                continue
            }
            spans.append(span)
            cursor = end
        }
        files = spans
        let firstDiff = spans.compactMap { $0?.headerLines.first }.first ?? lines.count
        let separator = lines[..<firstDiff].firstIndex(where: { $0 == "---" }) ?? firstDiff
        commitMessageLines = 0..<separator
    }

    /// The raw line of `patch.files[file].hunks[hunk].lines[line]`.
    public func lineIndex(file: Int, hunk: Int, line: Int) -> Int? {
        guard file < files.count, let span = files[file], hunk < span.hunkHeaders.count else { return nil }
        let index = span.hunkHeaders[hunk] + 1 + line
        return index < lines.count ? index : nil
    }

    private static func locate(_ file: FileDiff, in lines: [Substring], from start: Int)
        -> (FileSpan, end: Int)?
    {
        var i = start
        // The header: a `diff --git` line, or a `---`/`+++` pair for non-git diffs.
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("diff --git ") { break }
            if line.hasPrefix("--- "), i + 1 < lines.count, lines[i + 1].hasPrefix("+++ ") { break }
            i += 1
        }
        guard i < lines.count else { return nil }
        var header = [i]
        var j = i + 1
        if lines[i].hasPrefix("diff --git ") {
            while j < lines.count, !lines[j].hasPrefix("@@ "), !lines[j].hasPrefix("diff --git ") {
                if lines[j].hasPrefix("--- ") || lines[j].hasPrefix("+++ ") { header.append(j) }
                j += 1
            }
        } else {
            header.append(i + 1)
            j = i + 2
        }
        var hunkHeaders: [Int] = []
        for hunk in file.hunks {
            while j < lines.count, !lines[j].hasPrefix("@@ ") {
                if lines[j].hasPrefix("diff --git ") { return nil }
                j += 1
            }
            guard j < lines.count else { return nil }
            hunkHeaders.append(j)
            j += 1 + hunk.lines.count
        }
        return (FileSpan(headerLines: header, hunkHeaders: hunkHeaders), max(j, i + 1))
    }
}
