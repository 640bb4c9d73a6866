#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How `>From ` lines in message bodies were escaped by whoever wrote the mbox.
public enum MboxFormat: Sendable, Hashable {
    /// mboxrd when the first separator is public-inbox's `From mboxrd@z ...` (or git's
    /// `From mboxrd ...`), mboxo otherwise.
    case automatic
    /// Body lines matching `^>+From ` lost one `>`; the reader removes exactly one.
    case mboxrd
    /// Only `^From ` was escaped, so `>From ` is ambiguous: it may be an escape or text the
    /// author wrote. The reader leaves such lines alone, as git mailsplit (without
    /// `--mboxrd`) and Python's mailbox module do, so nothing the author wrote is changed.
    case mboxo
}

/// One message cut out of a source, before any parsing.
public struct RawMessage: Sendable {
    public var location: MessageLocation
    /// The message exactly as sent: no `From ` separator line, mboxrd escapes removed, the
    /// blank line mbox writers add after each message dropped.
    public var bytes: [UInt8]

    public init(location: MessageLocation, bytes: [UInt8]) {
        self.location = location
        self.bytes = bytes
    }
}

/// Cuts one file descriptor into messages, reading in large chunks so memory stays bounded
/// by the largest message (capped by `ParserLimits.maxMessageBytes`), not by the file.
/// Every byte is searched for a newline once, whatever the line lengths: a file that is one
/// endless line costs time in proportion to its size, and memory no more than one message
/// plus one kept line (`ParserLimits.maxLineBytes`).
///
/// A file whose first line starts with `From ` is an mbox; anything else (an .eml, a
/// maildir entry, a format-patch file without its `From <sha>` line) is one message.
final class MboxStreamReader {
    static let chunkBytes = 1 << 20

    let file: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let limits: ParserLimits
    private var format: MboxFormat

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// File offset of `buffer[0]`.
    private var bufferOffset = 0
    private var atEOF = false
    private var started = false
    private var finished = false

    private var isMbox = false
    /// True when the first separator follows git's rule; false for loose writers such as
    /// patchew's `From A` lines, where a separator must also sit after a blank line and
    /// before a header line.
    private var strictSeparators = true

    /// Start of the current message and of the next unexamined line, as buffer indices.
    private var messageStart = 0
    private var scan = 0
    /// Buffer index up to which the line starting at `scan` is known to hold no newline, so
    /// a long line is searched once rather than again after every read.
    private var searchedTo = 0
    /// The rest of the current line is dropped as it arrives: it grew past
    /// `maxLineBytes` inside a message that is being skipped, so it is never a separator.
    private var discardingLine = false
    /// File offsets of lines in the current message that lose one `>` (mboxrd only).
    private var escapedLines: [Int] = []
    private var number = 0
    /// Set once the current message passed `maxMessageBytes`: its bytes are dropped as
    /// they are read and only its start is kept for the error report.
    private var oversized: (offset: Int, number: Int)?

    init(fd: Int32, file: String, ownsDescriptor: Bool, format: MboxFormat, limits: ParserLimits) {
        self.fd = fd
        self.file = file
        self.ownsDescriptor = ownsDescriptor
        self.format = format
        self.limits = limits
        capacity = 2 * Self.chunkBytes
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Bytes the reader holds for its buffer: what bounds its memory.
    var bufferCapacity: Int { capacity }

    /// The next message or per-message error; nil at the end of the file.
    func next() -> Result<RawMessage, MboxParserError>? {
        if finished { return nil }
        if !started {
            started = true
            if let failure = start() { finished = true; return .failure(failure) }
        }
        while true {
            if let item = scanLines() { return item }
            if atEOF {
                finished = true
                // In an mbox every separator opens a message, even an empty one (Python's
                // mailbox counts those too); a single-message file must hold something.
                guard isMbox || count > 0 || oversized != nil else { return nil }
                return finishMessage(end: count, nextStart: count)
            }
            // The unfinished line counts too: a message that is one endless line is as
            // oversized as one of many lines.
            if oversized == nil && count - messageStart > limits.maxMessageBytes {
                oversized = (bufferOffset + messageStart, number + 1)
            }
            if oversized != nil {
                // Keep only the unfinished line, which may be the next separator; past the
                // longest line we keep it cannot be one, and it is dropped as it arrives.
                if count - scan > limits.maxLineBytes {
                    discardingLine = true
                    scan = count
                    searchedTo = count
                }
                messageStart = scan
                escapedLines.removeAll()
            }
            if let failure = refill() {
                finished = true
                return .failure(failure)
            }
        }
    }

    // MARK: - Lines

    /// Examines complete lines from `scan`; returns a message when a separator ends one.
    private func scanLines() -> Result<RawMessage, MboxParserError>? {
        let unescape = format == .mboxrd
        // One message, nothing to un-escape: no line matters until the end of the file.
        guard isMbox || unescape else {
            scan = count
            return nil
        }
        while scan < count {
            guard let newline = findNewline(from: max(scan, searchedTo)) else {
                searchedTo = count
                return nil
            }
            if discardingLine {
                discardingLine = false
                scan = newline + 1
                continue
            }
            let lineStart = scan
            let first = buffer[lineStart]
            if isMbox && first == UInt8(ascii: "F") && isSeparator(lineStart: lineStart, newline: newline) {
                guard strictSeparators || lookaheadReady(after: newline) else { return nil }
                if strictSeparators || separatorContextOK(lineStart: lineStart, newline: newline) {
                    let item = finishMessage(end: lineStart, nextStart: newline + 1)
                    return item
                }
            } else if unescape && first == UInt8(ascii: ">") && isEscapedFromLine(lineStart, newline) {
                escapedLines.append(bufferOffset + lineStart)
            }
            scan = newline + 1
        }
        return nil
    }

    private func findNewline(from index: Int) -> Int? {
        guard let hit = memchr(buffer + index, 0x0A, count - index) else { return nil }
        return buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    private func isSeparator(lineStart: Int, newline: Int) -> Bool {
        let line = UnsafeBufferPointer(start: buffer + lineStart, count: newline - lineStart)
        return strictSeparators ? FromLine.isGitFromLine(line) : FromLine.startsWithFrom(line)
    }

    /// Whether the line after a loose separator can be judged: it has ended, or it is
    /// already longer than any header line we keep.
    private func lookaheadReady(after newline: Int) -> Bool {
        atEOF || count - (newline + 1) > limits.maxLineBytes || findNewline(from: newline + 1) != nil
    }

    /// Loose separators need a blank line (or the message start) before them and a header
    /// line after them, which tells `From A` apart from prose starting with "From ".
    private func separatorContextOK(lineStart: Int, newline: Int) -> Bool {
        var blankBefore = lineStart == messageStart
        if !blankBefore, lineStart - 1 >= messageStart, buffer[lineStart - 1] == 0x0A {
            var p = lineStart - 2
            if p >= messageStart && buffer[p] == 0x0D { p -= 1 }
            blankBefore = p < messageStart || buffer[p] == 0x0A
        }
        guard blankBefore else { return false }
        let nextStart = newline + 1
        let nextEnd = findNewline(from: nextStart) ?? count
        return FromLine.looksLikeHeader(UnsafeBufferPointer(start: buffer + nextStart, count: nextEnd - nextStart))
    }

    private func isEscapedFromLine(_ lineStart: Int, _ newline: Int) -> Bool {
        var p = lineStart
        while p < newline && buffer[p] == UInt8(ascii: ">") { p += 1 }
        return FromLine.startsWithFrom(UnsafeBufferPointer(start: buffer + p, count: newline - p))
    }

    // MARK: - Messages

    private func finishMessage(end: Int, nextStart: Int) -> Result<RawMessage, MboxParserError> {
        number += 1
        let start = messageStart
        let offset = bufferOffset + start
        messageStart = nextStart
        scan = nextStart
        defer { escapedLines.removeAll(keepingCapacity: true) }
        if let oversized {
            self.oversized = nil
            let location = MessageLocation(file: file, number: oversized.number, offset: oversized.offset)
            return .failure(MboxParserError(.messageTooLarge, location: location,
                reason: "message is larger than \(limits.maxMessageBytes) bytes (postfix message_size_limit); skipped"))
        }
        if end - start > limits.maxMessageBytes {
            let location = MessageLocation(file: file, number: number, offset: offset)
            return .failure(MboxParserError(.messageTooLarge, location: location,
                reason: "message is larger than \(limits.maxMessageBytes) bytes (postfix message_size_limit); skipped"))
        }
        var stop = end
        if isMbox { stop = Self.droppingSeparatorBlankLine(buffer, start: start, end: end) }
        let location = MessageLocation(file: file, number: number, offset: offset)
        var bytes = [UInt8]()
        bytes.reserveCapacity(stop - start)
        var from = start
        for escaped in escapedLines {
            let index = escaped - bufferOffset
            guard index >= from, index < stop else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(start: buffer + from, count: index - from))
            from = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: buffer + from, count: stop - from))
        return .success(RawMessage(location: location, bytes: bytes))
    }

    /// mbox writers end every message with an empty line; it belongs to the mbox, not the mail.
    private static func droppingSeparatorBlankLine(_ buffer: UnsafeMutablePointer<UInt8>, start: Int, end: Int) -> Int {
        guard end - start >= 2, buffer[end - 1] == 0x0A else { return end }
        if buffer[end - 2] == 0x0A { return end - 1 }
        if end - start >= 3, buffer[end - 2] == 0x0D, buffer[end - 3] == 0x0A { return end - 2 }
        return end
    }

    // MARK: - Input

    /// Reads the first line to tell an mbox from a single message and pick the dialect.
    /// Blank lines before the first `From ` line are skipped, as git mailsplit does.
    private func start() -> MboxParserError? {
        var first = 0
        var searched = 0
        while true {
            while first < count && (buffer[first] == 0x20 || buffer[first] == 0x09 || buffer[first] == 0x0A || buffer[first] == 0x0D) {
                first += 1
            }
            if first < count && findNewline(from: max(first, searched)) != nil || atEOF { break }
            // A first line longer than any line we keep is no `From ` line: the file is one
            // message, and the rest of that line is read (and bounded) as message bytes.
            if count - first > limits.maxLineBytes { break }
            // Nothing but blank lines for longer than a message may be: one oversized message.
            if first > limits.maxMessageBytes { break }
            searched = count
            if let failure = refill() { return failure }
        }
        let firstEnd = findNewline(from: max(first, searched)) ?? count
        let line = UnsafeBufferPointer(start: buffer + first, count: firstEnd - first)
        guard line.count <= limits.maxLineBytes, FromLine.startsWithFrom(line) else { return nil }
        isMbox = true
        strictSeparators = FromLine.isGitFromLine(line)
        if format == .automatic {
            format = FromLine.namesMboxrd(line) ? .mboxrd : .mboxo
        }
        messageStart = min(firstEnd + 1, count)
        scan = messageStart
        return nil
    }

    /// Moves the unfinished message to the front of the buffer and reads the next chunk.
    private func refill() -> MboxParserError? {
        if messageStart > 0 {
            let keep = count - messageStart
            if keep > 0 { memmove(buffer, buffer + messageStart, keep) }
            bufferOffset += messageStart
            scan -= messageStart
            searchedTo = max(0, searchedTo - messageStart)
            count = keep
            messageStart = 0
        }
        if capacity - count < Self.chunkBytes {
            // Doubling, so a message of n bytes is copied O(n) times in all, not O(n^2 / chunk).
            let grown = max(2 * capacity, count + 2 * Self.chunkBytes)
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            larger.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = larger
            capacity = grown
        }
        while true {
            let n = read(fd, buffer + count, capacity - count)
            if n > 0 { count += n; return nil }
            if n == 0 { atEOF = true; return nil }
            if errno == EINTR { continue }
            atEOF = true
            let reason = String(cString: strerror(errno))
            return MboxParserError(.unreadableSource, path: file, reason: "read failed: \(reason)")
        }
    }
}
