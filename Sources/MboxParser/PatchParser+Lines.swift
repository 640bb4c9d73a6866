import Foundation

/// The body's UTF-8 bytes split into lines once. Line `i` spans `starts[i]..<ends[i]`,
/// without its `\n` and without a `\r` before it (CRLF is read as LF).
struct BodyLines {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var starts: [Int] = []
    private(set) var ends: [Int] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let total = bytes.count
        starts.reserveCapacity(total / 40)
        ends.reserveCapacity(total / 40)
        var position = 0
        while position < total {
            var end = total
            var next = total
            if let hit = memchr(base + position, 0x0A, total - position) {
                end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                next = end + 1
            }
            var contentEnd = end
            if contentEnd > position, base[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            starts.append(position)
            ends.append(contentEnd)
            position = next
        }
    }

    var count: Int { starts.count }

    @inline(__always) func length(_ line: Int) -> Int { ends[line] - starts[line] }

    @inline(__always) func isEmpty(_ line: Int) -> Bool { ends[line] == starts[line] }

    /// The byte at `offset` within the line, or 0 past its end (never a valid line byte).
    @inline(__always) func byte(_ line: Int, _ offset: Int) -> UInt8 {
        let at = starts[line] + offset
        return at < ends[line] ? bytes[at] : 0
    }

    @inline(__always) func hasPrefix(_ line: Int, _ prefix: StaticString) -> Bool {
        hasPrefix(at: starts[line], end: ends[line], prefix)
    }

    @inline(__always) func hasPrefix(at start: Int, end: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard end - start >= count else { return false }
        return memcmp(bytes.baseAddress! + start, prefix.utf8Start, count) == 0
    }

    /// Whether the line is exactly `text`.
    @inline(__always) func equals(_ line: Int, _ text: StaticString) -> Bool {
        length(line) == text.utf8CodeUnitCount && hasPrefix(line, text)
    }

    func string(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The bytes `start..<end` without spaces and tabs at either end.
    func trimmedString(_ start: Int, _ end: Int) -> String {
        var start = start, end = end
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return string(start, end)
    }

    func string(line: Int, from offset: Int = 0) -> String {
        string(min(starts[line] + offset, ends[line]), ends[line])
    }

    /// Lines `range` as text, each ending in a newline.
    func text(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        let first = starts[range.lowerBound], last = ends[range.upperBound - 1]
        if memchr(bytes.baseAddress! + first, 0x0D, last - first) == nil {
            // No CR to drop: the lines stand in the body exactly as wanted.
            return string(first, last) + "\n"
        }
        var out: [UInt8] = []
        out.reserveCapacity(starts[range.upperBound - 1] - starts[range.lowerBound] + range.count)
        for line in range {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[starts[line]..<ends[line]]))
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `range` without blank (empty or whitespace-only) lines at either end.
    func trimmingBlankLines(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isBlank(lower) { lower += 1 }
        while upper > lower, isBlank(upper - 1) { upper -= 1 }
        return lower..<upper
    }

    func isBlank(_ line: Int) -> Bool {
        var at = starts[line]
        while at < ends[line] {
            if !isSpace(bytes[at]) { return false }
            at += 1
        }
        return true
    }
}

/// C `isspace` in the C locale, which is what git's checks use.
@inline(__always) func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
