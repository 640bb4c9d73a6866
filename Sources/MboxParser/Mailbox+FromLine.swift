/// Predicates on the `From ` lines that separate messages in an mbox.
enum FromLine {
    static func startsWithFrom(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.count >= 5 && line[0] == 0x46 && line[1] == 0x72 && line[2] == 0x6F && line[3] == 0x6D && line[4] == 0x20
    }

    /// git mailsplit's rule: a line starting `From ` is a separator only when it also
    /// carries a time `HH:MM:SS` followed by a four-digit year, so prose such as
    /// "From the beginning, ..." inside a body never splits a message.
    static func isGitFromLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var end = line.count
        if end > 0 && line[end - 1] == 0x0D { end -= 1 }
        guard end >= 19, startsWithFrom(line) else { return false }
        // The time is found by its last colon, like mailsplit: the sender part may hold
        // colons of its own, the date part after the time never does.
        var colon = end - 1
        while colon > 5 && line[colon] != UInt8(ascii: ":") { colon -= 1 }
        guard colon >= 9, colon + 2 < end else { return false }
        func digit(_ i: Int) -> Bool { line[i] >= 0x30 && line[i] <= 0x39 }
        guard digit(colon - 4), line[colon - 3] == UInt8(ascii: ":"), digit(colon - 2), digit(colon - 1),
              digit(colon + 1), digit(colon + 2) else { return false }
        var p = colon + 3
        while p < end && (line[p] == 0x20 || line[p] == 0x09) { p += 1 }
        guard p + 4 <= end else { return false }
        return digit(p) && digit(p + 1) && digit(p + 2) && digit(p + 3)
    }

    /// public-inbox writes `From mboxrd@z ...`, git format-patch `--mboxrd` writes `From mboxrd ...`.
    static func namesMboxrd(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = Array(line.prefix(14))
        return text.starts(with: Array("From mboxrd@z ".utf8)) || text.starts(with: Array("From mboxrd ".utf8))
    }

    /// `Name:` with an RFC 5322 field name (printable ASCII other than colon).
    static func looksLikeHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < line.count, line[i] >= 33, line[i] <= 126, line[i] != UInt8(ascii: ":") { i += 1 }
        return i > 0 && i < line.count && line[i] == UInt8(ascii: ":")
    }
}
