/// Lines of a diff the parser could not place in a hunk: what a review must list as not
/// reviewed instead of counting the patch as read.
public struct UnplacedDiffLines: Sendable, Hashable {
    public enum Cause: String, Sendable, Hashable {
        /// A hunk's lines disagree with the counts in its header.
        case counts = "hunk-counts"
        /// A hunk header that does not parse (a count too long to be a line number, or
        /// malformed).
        case unreadableHeader = "unreadable-hunk-header"
        /// A hunk with no file header before it.
        case noFileHeader = "no-file-header"
        /// The body ends inside a hunk: lines its header promises are missing.
        case truncated
        /// Context lines whose leading space a mail client replaced (a no-break space,
        /// typically), so nothing after them parses.
        case whitespaceDamaged = "whitespace-damaged"
        /// Lines a mail client wrapped: a diff line continued on a line with no marker.
        case lineWrapped = "line-wrapped"
        /// A parser limit on hostile input was reached; the rest is not read.
        case limit
    }

    /// The file the lines belong to, as the diff names it ("" before any file header).
    public var file: String
    /// 1-based body line of the first unplaced line (for a truncated hunk: where the body
    /// ended).
    public var firstLine: Int
    /// Lines left unplaced (0 when the lines are missing rather than unreadable).
    public var lineCount: Int
    /// Of those, lines that add or remove code (`+`/`-`).
    public var changedLineCount: Int
    public var cause: Cause
    /// What went wrong, for the plan and the report.
    public var reason: String

    public init(file: String, firstLine: Int, lineCount: Int, changedLineCount: Int, cause: Cause, reason: String) {
        self.file = file
        self.firstLine = firstLine
        self.lineCount = lineCount
        self.changedLineCount = changedLineCount
        self.cause = cause
        self.reason = reason
    }

    /// `body lines 23-30 (8 lines, 5 changed): <reason>`, for a report line.
    public var summary: String {
        let place = lineCount == 0 ? "body line \(firstLine)"
            : lineCount == 1 ? "body line \(firstLine)" : "body lines \(firstLine)-\(firstLine + lineCount - 1)"
        let size = lineCount == 0 ? "" : " (\(lineCount) line\(lineCount == 1 ? "" : "s"), \(changedLineCount) changed)"
        return "\(place)\(size): \(reason)"
    }

    /// Damage a mail client did, as opposed to a diff that was wrong when written.
    public var isMailerDamage: Bool { cause == .whitespaceDamaged || cause == .lineWrapped }
}

extension Patch {
    /// The damage that makes this patch unreviewable as a whole: a mail client changed
    /// whitespace or wrapped lines, so no line can be trusted to be what the author sent.
    public var mangling: UnplacedDiffLines.Cause? { unplaced.first(where: \.isMailerDamage)?.cause }
}

extension DiffScanner {
    /// Where a run of unplaced lines starting at `first` ends: at the next file header,
    /// the next hunk header that parses, a `-- ` signature, or the end; trailing blank
    /// lines are not part of it.
    func unplacedRunEnd(from first: Int, end: Int) -> Int {
        var line = first
        while line < end {
            if lines.hasPrefix(line, "diff --git ") || lines.equals(line, "-- ") { break }
            if lines.hasPrefix(line, "--- "), line + 1 < end, lines.hasPrefix(line + 1, "+++ ") { break }
            if HunkHeader(lines, line) != nil { break }
            line += 1
        }
        while line > first, lines.isBlank(line - 1) { line -= 1 }
        return line
    }

    /// Records the lines `first..<stop` of `file` as unplaced because of `problem`,
    /// naming mail-client damage when the lines show it.
    mutating func recordUnplaced(file: String, _ first: Int, _ stop: Int, cause: UnplacedDiffLines.Cause,
                                 problem: String) {
        var changed = 0, damaged = 0, wrapped = 0
        for line in first..<stop {
            let byte = lines.byte(line, 0)
            switch byte {
            case UInt8(ascii: "+"), UInt8(ascii: "-"): changed += 1
            case 0xC2 where lines.byte(line, 1) == 0xA0: damaged += 1  // U+00A0 NO-BREAK SPACE
            case UInt8(ascii: " "), UInt8(ascii: "\\"), UInt8(ascii: "@"), 0: break
            default: wrapped += 1
            }
        }
        var cause = cause
        var reason = problem
        if damaged > 0 {
            cause = .whitespaceDamaged
            reason = "whitespace-damaged: \(damaged) context line\(damaged == 1 ? "" : "s") start with a no-break space "
                + "instead of a space (a mail client mangled the patch; ask for it again, sent with git send-email)"
        } else if wrapped > 0, cause == .counts {
            cause = .lineWrapped
            reason = "line-wrapped: \(wrapped) line\(wrapped == 1 ? "" : "s") without a diff marker inside a hunk "
                + "(a mail client wrapped long lines; ask for the patch again, sent with git send-email)"
        }
        unplaced.append(UnplacedDiffLines(file: file, firstLine: first + 1, lineCount: stop - first,
                                          changedLineCount: changed, cause: cause, reason: reason))
    }
}
