/// The commit message as `git am` records it (mailinfo's message, then `git stripspace`),
/// and its trailers found the way `git interpret-trailers` finds them.
extension BodyReader {
    mutating func readCommitMessage(_ range: Range<Int>) {
        let message = strippedLines(range)
        var out: [UInt8] = []
        for span in message {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: lines.bytes[span]))
            out.append(0x0A)
        }
        patch.commitMessage = String(decoding: out, as: UTF8.self)
        patch.trailers = trailers(in: message)
    }

    /// `git stripspace`: trailing whitespace cut, runs of blank lines made one, none at
    /// either end. Each element is one line's bytes; an empty range is a blank line.
    private func strippedLines(_ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var pendingBlank = false
        for line in range {
            var end = lines.ends[line]
            let start = lines.starts[line]
            while end > start, isSpace(lines.bytes[end - 1]) { end -= 1 }
            if end == start {
                pendingBlank = !result.isEmpty
                continue
            }
            if pendingBlank { result.append(start..<start) }
            pendingBlank = false
            result.append(start..<end)
        }
        return result
    }

    /// The last paragraph, if git would call it a trailer block: all `Token: value` lines
    /// (continuations allowed), or at least a quarter of them with one git itself writes.
    private func trailers(in message: [Range<Int>]) -> [Trailer] {
        var trailerLines = 0, otherLines = 0, possibleContinuations = 0
        var recognized = false
        var index = message.count - 1
        while index >= 0, !message[index].isEmpty {
            let span = message[index]
            if hasPrefix(span, "Signed-off-by: ") || hasPrefix(span, "(cherry picked from commit ") {
                trailerLines += 1
                possibleContinuations = 0
                recognized = true
            } else if separatorOffset(span) != nil {
                trailerLines += 1
                possibleContinuations = 0
            } else if isSpace(lines.bytes[span.lowerBound]) {
                possibleContinuations += 1
            } else {
                otherLines += 1 + possibleContinuations
                possibleContinuations = 0
            }
            index -= 1
        }
        // The top of the body counts as the blank line after the subject.
        otherLines += possibleContinuations
        let isBlock = (recognized && trailerLines * 3 >= otherLines) || (trailerLines > 0 && otherLines == 0)
        guard isBlock else { return [] }

        var result: [Trailer] = []
        var current: (name: String, value: String)?
        for span in message[(index + 1)...] {
            if isSpace(lines.bytes[span.lowerBound]) {
                if current != nil {
                    current!.value += " " + lines.trimmedString(span.lowerBound, span.upperBound)
                }
                continue
            }
            if let current { result.append(Trailer(name: current.name, value: current.value)) }
            current = nil
            guard let colon = separatorOffset(span) else { continue }
            let name = lines.trimmedString(span.lowerBound, colon)
            let value = lines.trimmedString(colon + 1, span.upperBound)
            current = (name, value)
        }
        if let current { result.append(Trailer(name: current.name, value: current.value)) }
        return result
    }

    /// git's `find_separator` for `:`: a token of letters, digits and `-`, optional
    /// whitespace, then the colon. Returns the colon's offset in the body.
    private func separatorOffset(_ span: Range<Int>) -> Int? {
        var sawSpace = false
        var at = span.lowerBound
        while at < span.upperBound {
            let byte = lines.bytes[at]
            if byte == UInt8(ascii: ":") { return at > span.lowerBound ? at : nil }
            let isTokenByte = isDigit(byte) || byte == UInt8(ascii: "-")
                || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            if !sawSpace, isTokenByte {
                at += 1
                continue
            }
            if at != span.lowerBound, byte == 0x20 || byte == 0x09 {
                sawSpace = true
                at += 1
                continue
            }
            return nil
        }
        return nil
    }

    private func hasPrefix(_ span: Range<Int>, _ prefix: StaticString) -> Bool {
        lines.hasPrefix(at: span.lowerBound, end: span.upperBound, prefix)
    }
}
