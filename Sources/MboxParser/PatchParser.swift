import Foundation

/// Reads the decoded body of one patch mail the way `git mailinfo` (with `--scissors`) and
/// `git apply` read it: in-body headers, commit message and trailers, the notes and
/// diffstat below `---`, the diffs, and what follows them.
public enum PatchParser {
    /// Parses one mail body. Never fails: what git would refuse is kept as far as it goes
    /// and described in `Patch.warnings`, and so is a limit reached on hostile input.
    public static func parse(body: String, limits: PatchLimits = .standard) -> Patch {
        var body = body
        return body.withUTF8 { bytes in
            var reader = BodyReader(lines: BodyLines(bytes), limits: limits)
            return reader.read()
        }
    }

    /// Whether the body holds a diff (`diff --git`, `GIT binary patch`, or `---`/`+++`
    /// followed by `@@ -`, each at the start of a line), without parsing it: tells patches
    /// from cover letters and replies cheaply, as b4 does.
    public static func containsDiff(_ body: String) -> Bool {
        var body = body
        return body.withUTF8 { containsDiff($0) }
    }

    /// `containsDiff` on the bytes of a body (transfer-decoded; the markers are ASCII in
    /// every charset a patch is sent in), so a scan can decide before building a String.
    public static func containsDiff(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        // Remember the last two line starts so a `@@ -` line can look back at `---`, `+++`.
        var previous = -1, beforePrevious = -1
        var position = 0
        while position < bytes.count {
            let rest = bytes.count - position
            let end = memchr(base + position, 0x0A, rest)
                .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
            if startsWith(base + position, end - position, "diff --git ")
                || startsWith(base + position, end - position, "GIT binary patch") {
                return true
            }
            if beforePrevious >= 0, startsWith(base + position, end - position, "@@ -"),
               startsWith(base + previous, position - previous, "+++ "),
               startsWith(base + beforePrevious, previous - beforePrevious, "--- ") {
                return true
            }
            beforePrevious = previous
            previous = position
            position = end + 1
        }
        return false
    }

    private static func startsWith(_ at: UnsafePointer<UInt8>, _ length: Int, _ prefix: StaticString) -> Bool {
        length >= prefix.utf8CodeUnitCount && memcmp(at, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }
}

/// The body layout: everything up to the first patch break, as `git mailinfo` splits it.
struct BodyReader {
    let lines: BodyLines
    let limits: PatchLimits
    var patch = Patch()

    init(lines: BodyLines, limits: PatchLimits) {
        self.lines = lines
        self.limits = limits
    }

    mutating func read() -> Patch {
        let count = lines.count
        var line = 0
        let isMercurial = readMercurialHeader(&line)
        var headers = InBodyHeaders()
        var headerStage = true
        var messageStart: Int?
        var discussionEnd: Int?
        var breakLine = count
        while line < count {
            defer { line += 1 }
            if headerStage {
                if lines.isEmpty(line) {
                    // Leading blank lines are skipped; one after in-body headers ends them.
                    if headers.isAccumulating {
                        headers.flush(into: &patch)
                        headerStage = false
                    }
                    continue
                }
                if headers.isAccumulating, isSpace(lines.byte(line, 0)), !isScissorsLine(line) {
                    headers.continueHeader(lines, line, limit: limits.maxInBodyHeaderBytes)
                    continue
                }
                headers.flush(into: &patch)
                if isFormatPatchSeparator(line) || headers.start(lines, line, patch: patch) { continue }
                headerStage = false
            }
            if isScissorsLine(line) {
                // Everything above is discussion; in-body headers may follow again.
                discussionEnd = line
                messageStart = nil
                patch.inBodyFrom = nil
                patch.inBodySubject = nil
                patch.inBodyDate = nil
                headerStage = true
                continue
            }
            if isPatchBreak(line) {
                breakLine = line
                break
            }
            if messageStart == nil { messageStart = line }
        }
        headers.flush(into: &patch)
        if let end = discussionEnd {
            patch.discussion = lines.text(lines.trimmingBlankLines(0..<end))
        }
        var message = (messageStart ?? breakLine)..<breakLine
        if isMercurial, patch.inBodySubject == nil, !message.isEmpty {
            // `hg export`: the first message line is the summary (the commit's subject).
            patch.inBodySubject = lines.string(line: message.lowerBound)
            message = (message.lowerBound + 1)..<message.upperBound
        }
        readCommitMessage(message)
        // A cover letter has no `---`: its base-commit/change-id lines end the message.
        readSeriesLines(message)
        readAfterMessage(from: breakLine)
        return patch
    }

    /// `# HG changeset patch` and the `# User`/`# Date`/`# Node ID` lines after it.
    private mutating func readMercurialHeader(_ line: inout Int) -> Bool {
        var first = 0
        while first < lines.count, lines.isEmpty(first) { first += 1 }
        guard first < lines.count, lines.equals(first, "# HG changeset patch") else { return false }
        line = first + 1
        while line < lines.count, lines.hasPrefix(line, "# ") {
            if lines.hasPrefix(line, "# User ") {
                patch.inBodyFrom = InBodyHeaders.address(lines.trimmedString(lines.starts[line] + 7, lines.ends[line]))
            } else if lines.hasPrefix(line, "# Date ") {
                patch.inBodyDate = lines.string(line: line, from: 7)
            }
            line += 1
        }
        return true
    }

    /// git mailinfo's `patchbreak`: `diff -`, `Index: `, `--- name`, or `---` alone.
    func isPatchBreak(_ line: Int) -> Bool {
        if lines.hasPrefix(line, "diff -") || lines.hasPrefix(line, "Index: ") { return true }
        guard lines.hasPrefix(line, "---") else { return false }
        if lines.byte(line, 3) == 0x20, lines.length(line) > 4, !isSpace(lines.byte(line, 4)) { return true }
        return isSeparator(line)
    }

    /// `---` followed by nothing but whitespace: the separator between message and notes.
    func isSeparator(_ line: Int) -> Bool {
        guard lines.hasPrefix(line, "---") else { return false }
        var offset = 3
        while offset < lines.length(line) {
            if !isSpace(lines.byte(line, offset)) { return false }
            offset += 1
        }
        return true
    }

    /// git mailinfo's `is_scissors_line`: dashes and `>8`/`8<`/`>%`/`%<` marks covering
    /// more than a third of the visible line, at least 8 bytes wide.
    func isScissorsLine(_ line: Int) -> Bool {
        let start = lines.starts[line], end = lines.ends[line]
        // Every mark has a `<` or `>`; most lines have neither, so look for them first.
        guard end - start >= 8, let base = lines.bytes.baseAddress,
              memchr(base + start, Int32(UInt8(ascii: ">")), end - start) != nil
                || memchr(base + start, Int32(UInt8(ascii: "<")), end - start) != nil else { return false }
        var scissors = 0, gap = 0, perforation = 0
        var inPerforation = false
        var firstVisible = -1, lastVisible = -1
        var at = start
        while at < end {
            let byte = lines.bytes[at]
            if isSpace(byte) {
                if inPerforation {
                    perforation += 1
                    gap += 1
                }
                at += 1
                continue
            }
            lastVisible = at
            if firstVisible < 0 { firstVisible = at }
            let next: UInt8 = at + 1 < end ? lines.bytes[at + 1] : 0
            if byte == UInt8(ascii: "-") {
                inPerforation = true
                perforation += 1
            } else if (byte == UInt8(ascii: ">") && (next == UInt8(ascii: "8") || next == UInt8(ascii: "%")))
                        || ((byte == UInt8(ascii: "8") || byte == UInt8(ascii: "%")) && next == UInt8(ascii: "<")) {
                inPerforation = true
                perforation += 2
                scissors += 2
                lastVisible = at + 1
                at += 1
            } else {
                inPerforation = false
            }
            at += 1
        }
        let visible = firstVisible < 0 ? 0 : lastVisible - firstVisible + 1
        return scissors > 0 && visible >= 8 && visible < perforation * 3 && gap * 2 < perforation
    }

    /// `From <sha1> Mon Sep 17 00:00:00 2001` (or `>From ...`) copied into the body.
    func isFormatPatchSeparator(_ line: Int) -> Bool {
        var offset = lines.byte(line, 0) == UInt8(ascii: ">") ? 1 : 0
        let start = lines.starts[line] + offset
        guard lines.hasPrefix(at: start, end: lines.ends[line], "From "),
              lines.length(line) - offset == 5 + 40 + 25 else { return false }
        offset += 5
        for _ in 0..<40 {
            let byte = lines.byte(line, offset)
            guard isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) else { return false }
            offset += 1
        }
        return lines.hasPrefix(at: lines.starts[line] + offset, end: lines.ends[line], " Mon Sep 17 00:00:00 2001")
    }
}

/// In-body `From:`/`Subject:`/`Date:` lines, with continuation lines, as mailinfo takes them:
/// each at most once, only at the top of the message (or right after a scissors line).
struct InBodyHeaders {
    private enum Field { case from, subject, date }
    private var field: Field?
    private var value: [UInt8] = []
    private var seen: (from: Bool, subject: Bool, date: Bool) = (false, false, false)

    var isAccumulating: Bool { field != nil }

    /// Starts a header when the line is one mailinfo takes; false otherwise.
    mutating func start(_ lines: BodyLines, _ line: Int, patch: Patch) -> Bool {
        let candidates: [(StaticString, Field, Bool)] = [
            ("from:", .from, patch.inBodyFrom != nil), ("subject:", .subject, patch.inBodySubject != nil),
            ("date:", .date, patch.inBodyDate != nil),
        ]
        for (name, field, taken) in candidates where !taken {
            let length = name.utf8CodeUnitCount
            guard lines.length(line) > length, isSpace(lines.byte(line, length)),
                  Self.hasPrefixIgnoringCase(lines, line, name) else { continue }
            self.field = field
            value = Array(UnsafeBufferPointer(rebasing: lines.bytes[(lines.starts[line] + length)..<lines.ends[line]]))
            return true
        }
        if lines.hasPrefix(line, "[PATCH]"), isSpace(lines.byte(line, 7)), patch.inBodySubject == nil {
            field = .subject
            value = Array(UnsafeBufferPointer(rebasing: lines.bytes[lines.starts[line]..<lines.ends[line]]))
            return true
        }
        return false
    }

    /// Adds a continuation line; beyond `limit` bytes the rest is dropped (mailinfo keeps
    /// it, but no real header is that long).
    mutating func continueHeader(_ lines: BodyLines, _ line: Int, limit: Int) {
        guard value.count + lines.length(line) <= limit else { return }
        value.append(contentsOf: UnsafeBufferPointer(rebasing: lines.bytes[lines.starts[line]..<lines.ends[line]]))
    }

    mutating func flush(into patch: inout Patch) {
        guard let field else { return }
        self.field = nil
        var start = 0, end = value.count
        while start < end, isSpace(value[start]) { start += 1 }
        while end > start, isSpace(value[end - 1]) { end -= 1 }
        let text = String(decoding: value[start..<end], as: UTF8.self)
        switch field {
        case .from: patch.inBodyFrom = Self.address(text)
        case .subject: patch.inBodySubject = text
        case .date: patch.inBodyDate = text
        }
    }

    /// `Name <email>` or a bare address.
    static func address(_ text: String) -> MailAddress? {
        if let person = MailAddress.parseTrailerPerson(text) { return person }
        return text.utf8.contains(UInt8(ascii: "@")) ? MailAddress(name: "", email: text) : nil
    }

    private static func hasPrefixIgnoringCase(_ lines: BodyLines, _ line: Int, _ prefix: StaticString) -> Bool {
        let start = lines.starts[line]
        for offset in 0..<prefix.utf8CodeUnitCount {
            var byte = lines.bytes[start + offset]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != prefix.utf8Start[offset] { return false }
        }
        return true
    }
}
