/// Recognises the diffstat git format-patch writes below `---`:
/// ` path | 12 +++---`, ` 3 files changed, 9 insertions(+), 3 deletions(-)`, and the
/// ` create mode`/` delete mode`/` rename`/` copy`/` mode change` summary lines.
enum Diffstat {
    /// ` path | N +-` or ` path | Bin 0 -> 12 bytes`.
    static func isFileLine(_ lines: BodyLines, _ line: Int) -> Bool {
        guard lines.byte(line, 0) == 0x20 else { return false }
        let start = lines.starts[line], end = lines.ends[line]
        var bar = end - 1
        while bar > start, lines.bytes[bar] != UInt8(ascii: "|") { bar -= 1 }
        guard bar > start + 1, lines.bytes[bar - 1] == 0x20 else { return false }
        var at = bar + 1
        while at < end, lines.bytes[at] == 0x20 { at += 1 }
        return at < end && (isDigit(lines.bytes[at]) || lines.hasPrefix(at: at, end: end, "Bin"))
    }

    /// ` N file(s) changed...`.
    static func isSummaryLine(_ lines: BodyLines, _ line: Int) -> Bool {
        guard lines.byte(line, 0) == 0x20, isDigit(lines.byte(line, 1)) else { return false }
        var offset = 1
        while isDigit(lines.byte(line, offset)) { offset += 1 }
        return lines.hasPrefix(at: lines.starts[line] + offset, end: lines.ends[line], " file")
    }

    /// The lines `git diff --summary` adds after the summary.
    static func isModeLine(_ lines: BodyLines, _ line: Int) -> Bool {
        lines.hasPrefix(line, " create mode ") || lines.hasPrefix(line, " delete mode ")
            || lines.hasPrefix(line, " rename ") || lines.hasPrefix(line, " copy ")
            || lines.hasPrefix(line, " mode change ") || lines.hasPrefix(line, " rewrite ")
    }
}
