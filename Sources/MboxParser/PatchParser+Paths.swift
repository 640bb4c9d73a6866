/// File names in diff headers, read by git apply's rules: C-quoted names (`"a/caf\303\251"`),
/// names with spaces (the `diff --git` line is split where the same name shows up twice),
/// `-p1` stripping, and the timestamps GNU diff and CVS put after `---`/`+++` names.
struct PathReader {
    /// Leading components to strip, like `git apply -p`.
    var p = 1
    let maxPathBytes: Int
    /// Whether `p` has been settled by a traditional diff (git guesses it once per input).
    private var pIsKnown = false

    private typealias Bytes = [UInt8]

    init(maxPathBytes: Int) { self.maxPathBytes = maxPathBytes }

    /// The name a `diff --git` line gives both sides, or nil when the sides differ (a
    /// rename, named again by its `rename from`/`rename to` lines) or cannot be split.
    func gitHeaderName(_ lines: BodyLines, _ start: Int, _ end: Int, p: Int) -> String? {
        let text = Bytes(UnsafeBufferPointer(rebasing: lines.bytes[start..<end]))
        guard let name = Self.gitHeaderName(text, p: p) else { return nil }
        return string(name)
    }

    /// A name after `--- `, `+++ `, `rename from ` and the like (git's `find_name`).
    func name(_ lines: BodyLines, _ start: Int, _ end: Int, p: Int, stopAtTab: Bool) -> String? {
        let text = Bytes(UnsafeBufferPointer(rebasing: lines.bytes[start..<end]))
        if text.first == UInt8(ascii: "\""), let name = Self.gnuName(text, p: p) { return string(name) }
        return string(Self.commonName(text, upTo: nil, default: nil, p: p, stopAtTab: stopAtTab))
    }

    /// A name after `--- `/`+++ ` of a diff without `diff --git` (git's `find_name_traditional`).
    func traditionalName(_ lines: BodyLines, _ start: Int, _ end: Int, default fallback: String?) -> String? {
        let text = Bytes(UnsafeBufferPointer(rebasing: lines.bytes[start..<end]))
        return string(Self.traditionalName(text, default: fallback.map { Bytes($0.utf8) }, p: p))
    }

    /// git apply's guess of `-p` from the first traditional diff: 0 when both names have no
    /// directory part, else the default 1.
    mutating func guessP(_ lines: BodyLines, _ oldStart: Int, _ oldEnd: Int, _ newStart: Int, _ newEnd: Int) {
        guard !pIsKnown else { return }
        func guess(_ start: Int, _ end: Int) -> Int {
            if Self.isDevNull(lines, start, end) { return -1 }
            let text = Bytes(UnsafeBufferPointer(rebasing: lines.bytes[start..<end]))
            guard let name = Self.traditionalName(text, default: nil, p: 0) else { return -1 }
            return name.contains(UInt8(ascii: "/")) ? -1 : 0
        }
        var old = guess(oldStart, oldEnd)
        let new = guess(newStart, newEnd)
        if old < 0 { old = new }
        if old >= 0, old == new {
            p = old
            pIsKnown = true
        }
    }

    static func isDevNull(_ lines: BodyLines, _ start: Int, _ end: Int) -> Bool {
        lines.hasPrefix(at: start, end: end, "/dev/null") && (end - start == 9 || isSpace(lines.bytes[start + 9]))
    }

    /// A `1970-01-01 00:00:00 +0000` (or the same instant in another zone) after a tab:
    /// GNU diff's way of saying the file does not exist on that side.
    static func hasEpochTimestamp(_ lines: BodyLines, _ start: Int, _ end: Int) -> Bool {
        var tab = end - 1
        while tab >= start, lines.bytes[tab] != 0x09 { tab -= 1 }
        guard tab >= start else { return false }
        let stamp = Bytes(UnsafeBufferPointer(rebasing: lines.bytes[(tab + 1)..<end]))
        let epochHour: Int
        if stamp.starts(with: Bytes("1969-12-31 ".utf8)) { epochHour = 24 }
        else if stamp.starts(with: Bytes("1970-01-01 ".utf8)) { epochHour = 0 }
        else { return false }
        var at = 11
        func digits(_ count: Int) -> Int? {
            guard at + count <= stamp.count, stamp[at..<(at + count)].allSatisfy(isDigit) else { return nil }
            defer { at += count }
            return stamp[at..<(at + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        func skip(_ byte: UInt8) -> Bool {
            guard at < stamp.count, stamp[at] == byte else { return false }
            at += 1
            return true
        }
        guard let hour = digits(2), skip(UInt8(ascii: ":")), let minute = digits(2), skip(UInt8(ascii: ":")),
              digits(2) == 0 else { return false }
        if skip(UInt8(ascii: ".")) {
            let first = at
            while at < stamp.count, stamp[at] == UInt8(ascii: "0") { at += 1 }
            guard at > first else { return false }
        }
        guard skip(0x20), at < stamp.count, stamp[at] == UInt8(ascii: "+") || stamp[at] == UInt8(ascii: "-")
        else { return false }
        let sign = stamp[at] == UInt8(ascii: "-") ? -1 : 1
        at += 1
        guard let zoneHours = digits(2) else { return false }
        _ = skip(UInt8(ascii: ":"))
        guard let zoneMinutes = digits(2), at == stamp.count, hour <= 29, minute <= 59, zoneMinutes <= 59 else {
            return false
        }
        return hour * 60 + minute - sign * (zoneHours * 60 + zoneMinutes) == epochHour * 60
    }

    // MARK: git's name rules on bytes

    private func string(_ name: Bytes?) -> String? {
        guard let name, !name.isEmpty, name.count <= maxPathBytes else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    private static func gitHeaderName(_ text: Bytes, p: Int) -> Bytes? {
        guard !text.isEmpty else { return nil }
        if text[0] == UInt8(ascii: "\"") {
            guard let (quoted, after) = unquote(text, from: 0) else { return nil }
            var cut = 0
            for _ in 0..<p {
                guard let slash = quoted[cut...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
                cut = slash + 1
            }
            let first = Bytes(quoted[cut...])
            var second = after
            while second < text.count, isSpace(text[second]) { second += 1 }
            guard second < text.count else { return nil }
            if text[second] == UInt8(ascii: "\"") {
                guard let (other, _) = unquote(text, from: second), let start = skipTreePrefix(other, from: 0, p: p),
                      Bytes(other[start...]) == first else { return nil }
                return first
            }
            guard let start = skipTreePrefix(text, from: second, p: p), Bytes(text[start...]) == first else { return nil }
            return first
        }
        guard let name = skipTreePrefix(text, from: 0, p: p) else { return nil }
        // The first name is unquoted, so a quote can only open the second one.
        if let quote = text[name...].firstIndex(of: UInt8(ascii: "\"")) {
            guard let (other, _) = unquote(text, from: quote), let start = skipTreePrefix(other, from: 0, p: p)
            else { return nil }
            let length = other.count - start
            guard length < quote - name, Bytes(text[name..<(name + length)]) == Bytes(other[start...]),
                  isSpace(text[name + length]) else { return nil }
            return Bytes(other[start...])
        }
        // Both unquoted: accept a name only if it shows up twice, exactly the same.
        for length in 0..<(text.count - name) where text[name + length] == 0x20 || text[name + length] == 0x09 {
            guard name + length + 1 < text.count,
                  let second = skipTreePrefix(text, from: name + length + 1, p: p) else { return nil }
            if text.count - second == length, text[second...].elementsEqual(text[name..<(name + length)]) {
                return Bytes(text[name..<(name + length)])
            }
        }
        return nil
    }

    /// Strips `p` leading components; nil when there are not enough, or a name starts with `/`.
    private static func skipTreePrefix(_ text: Bytes, from start: Int, p: Int) -> Int? {
        if p == 0 { return start < text.count && text[start] == UInt8(ascii: "/") ? nil : start }
        var slashes = p
        for index in start..<text.count where text[index] == UInt8(ascii: "/") {
            slashes -= 1
            if slashes <= 0 { return index == start ? nil : index + 1 }
        }
        return nil
    }

    /// A C-quoted name (`"a/caf\303\251 x"`) starting at `start`; returns it and the index
    /// after the closing quote.
    private static func unquote(_ text: Bytes, from start: Int) -> (Bytes, Int)? {
        var out = Bytes()
        var at = start + 1
        while at < text.count {
            let byte = text[at]
            if byte == UInt8(ascii: "\"") { return (out, at + 1) }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                at += 1
                continue
            }
            at += 1
            guard at < text.count else { return nil }
            let escaped = text[at]
            switch escaped {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(escaped)
            case UInt8(ascii: "0")...UInt8(ascii: "3"):
                guard at + 2 < text.count else { return nil }
                let octal = [escaped, text[at + 1], text[at + 2]]
                guard octal[1...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
                out.append(octal.reduce(0) { $0 << 3 | ($1 - UInt8(ascii: "0")) })
                at += 2
            default:
                return nil
            }
            at += 1
        }
        return nil
    }

    /// git's `find_name_gnu`: a quoted name, `p` components stripped.
    private static func gnuName(_ text: Bytes, p: Int) -> Bytes? {
        guard let (name, _) = unquote(text, from: 0) else { return nil }
        var cut = 0
        for _ in 0..<p {
            guard let slash = name[cut...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
            cut = slash + 1
        }
        return squashSlashes(Bytes(name[cut...]))
    }

    private static func traditionalName(_ text: Bytes, default fallback: Bytes?, p: Int) -> Bytes? {
        if text.first == UInt8(ascii: "\""), let name = gnuName(text, p: p) { return name }
        let dateLength = timestampLength(text)
        if dateLength == 0 { return commonName(text, upTo: nil, default: fallback, p: p, stopAtTab: true) }
        return commonName(text, upTo: text.count - dateLength, default: fallback, p: p, stopAtTab: false)
    }

    /// git's `find_name_common`: the name after `p` slashes, up to `end` or (without one)
    /// the first tab or other terminating whitespace; the shorter `fallback` wins when the
    /// name merely extends it (`file.orig`).
    private static func commonName(_ text: Bytes, upTo end: Int?, default fallback: Bytes?, p: Int,
                                   stopAtTab: Bool) -> Bytes? {
        var slashes = p
        var start: Int? = p == 0 ? 0 : nil
        var at = 0
        let limit = end ?? text.count
        while at < limit {
            let byte = text[at]
            if end == nil, isSpace(byte), byte != 0x20, byte != 0x09 || stopAtTab { break }
            at += 1
            if byte == UInt8(ascii: "/") {
                slashes -= 1
                if slashes == 0 { start = at }
            }
        }
        guard let start, at > start else { return fallback.map(squashSlashes) }
        if let fallback, fallback.count < at - start, text[start..<(start + fallback.count)].elementsEqual(fallback) {
            return squashSlashes(fallback)
        }
        return squashSlashes(Bytes(text[start..<at]))
    }

    private static func squashSlashes(_ name: Bytes) -> Bytes {
        var out = Bytes()
        out.reserveCapacity(name.count)
        for byte in name where !(byte == UInt8(ascii: "/") && out.last == UInt8(ascii: "/")) { out.append(byte) }
        return out
    }

    /// Length of a timestamp after a name, with the whitespace before it (git's
    /// `diff_timestamp_len`): `2010-07-05 19:41:17[.620000023] [-0500]`.
    private static func timestampLength(_ text: Bytes) -> Int {
        guard let last = text.last, isDigit(last) else { return 0 }
        var end = text.count
        end -= zoneLength(text, end)
        let time = shortTimeLength(text, end)
        end -= time > 0 ? time : fractionalTimeLength(text, end)
        let date = dateLength(text, end)
        guard date > 0 else { return 0 }
        end -= date
        guard end > 0 else { return 0 }
        if text[end - 1] == 0x09 { return text.count - (end - 1) }
        guard text[end - 1] == 0x20 else { return 0 }
        while end > 0, text[end - 1] == 0x20 { end -= 1 }
        return text.count - end
    }

    /// ` +0500` or ` +05:00`.
    private static func zoneLength(_ text: Bytes, _ end: Int) -> Int {
        if end >= 6, text[end - 6] == 0x20, text[end - 5] == UInt8(ascii: "+") || text[end - 5] == UInt8(ascii: "-"),
           text[(end - 4)..<end].allSatisfy(isDigit) {
            return 6
        }
        if end >= 7, text[end - 7] == 0x20, text[end - 6] == UInt8(ascii: "+") || text[end - 6] == UInt8(ascii: "-"),
           isDigit(text[end - 5]), isDigit(text[end - 4]), text[end - 3] == UInt8(ascii: ":"),
           isDigit(text[end - 2]), isDigit(text[end - 1]) {
            return 7
        }
        return 0
    }

    /// ` 07:01:32`.
    private static func shortTimeLength(_ text: Bytes, _ end: Int) -> Int {
        guard end >= 9 else { return 0 }
        let t = text[(end - 9)..<end].map { $0 }
        let colon = UInt8(ascii: ":")
        guard t[0] == 0x20, isDigit(t[1]), isDigit(t[2]), t[3] == colon, isDigit(t[4]), isDigit(t[5]),
              t[6] == colon, isDigit(t[7]), isDigit(t[8]) else { return 0 }
        return 9
    }

    /// ` 19:41:17.620000023`.
    private static func fractionalTimeLength(_ text: Bytes, _ end: Int) -> Int {
        guard end > 0, isDigit(text[end - 1]) else { return 0 }
        var dot = end - 1
        while dot > 0, isDigit(text[dot]) { dot -= 1 }
        guard text[dot] == UInt8(ascii: ".") else { return 0 }
        let time = shortTimeLength(text, dot)
        return time > 0 ? end - dot + time : 0
    }

    /// `72-02-05` or `1972-02-05`.
    private static func dateLength(_ text: Bytes, _ end: Int) -> Int {
        guard end >= 8 else { return 0 }
        let d = text[(end - 8)..<end].map { $0 }
        let dash = UInt8(ascii: "-")
        guard isDigit(d[0]), isDigit(d[1]), d[2] == dash, isDigit(d[3]), isDigit(d[4]), d[5] == dash,
              isDigit(d[6]), isDigit(d[7]) else { return 0 }
        return end >= 10 && isDigit(text[end - 9]) && isDigit(text[end - 10]) ? 10 : 8
    }
}
