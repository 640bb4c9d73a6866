/// One C file of a tree, read and outlined: its lines by number and its definitions.
public final class SourceFile: Sendable {
    public let path: String
    public let blob: String
    public let bytes: [UInt8]
    /// Byte offset of each line's start; `lineStarts[0]` is line 1.
    private let lineStarts: [Int]
    public let outline: COutline
    /// Hashes of every identifier in the file: whether it mentions a name is then a set
    /// lookup, confirmed on the tokens only on a hit.
    private let identifiers: Set<UInt32>

    init(path: String, blob: String, bytes: [UInt8]) {
        self.path = path
        self.blob = blob
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") && offset + 1 < bytes.count {
            starts.append(offset + 1)
        }
        lineStarts = bytes.isEmpty ? [] : starts
        (outline, identifiers) = bytes.withUnsafeBufferPointer { buffer in
            var tokens: [CToken] = []
            let lines = CLexer.tokenize(buffer, into: &tokens)
            var hashes = Set<UInt32>()
            for token in tokens where token.kind == .identifier {
                hashes.insert(IdentifierHash.of(buffer, from: Int(token.start), to: token.end))
            }
            return (COutline.scan(bytes: buffer, tokens: tokens, lineCount: lines), hashes)
        }
    }

    public var lineCount: Int { lineStarts.count }

    /// Line `number` (1-based) without its newline; empty past the end.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// Lines `range`, numbered as `read_file` shows them (`  123  text`).
    public func numberedLines(_ range: ClosedRange<Int>) -> String {
        let lower = max(1, range.lowerBound)
        let upper = min(lineCount, range.upperBound)
        guard lower <= upper else { return "" }
        var text = ""
        for number in lower...upper {
            text += Self.numbered(number, line(number))
        }
        return text
    }

    static func numbered(_ number: Int, _ line: String, marker: Character = " ") -> String {
        let digits = String(number)
        return String(repeating: " ", count: max(0, 6 - digits.count)) + digits + " \(marker) " + line + "\n"
    }

    /// The file's tokens (computed on demand: only reference searches need them).
    func tokens() -> [CToken] {
        var tokens: [CToken] = []
        bytes.withUnsafeBufferPointer { _ = CLexer.tokenize($0, into: &tokens) }
        return tokens
    }

    func text(of token: CToken) -> String {
        String(decoding: bytes[Int(token.start)..<token.end], as: UTF8.self)
    }

    func token(_ token: CToken, is name: [UInt8]) -> Bool {
        guard token.kind == .identifier, Int(token.length) == name.count else { return false }
        var k = 0
        let start = Int(token.start)
        while k < name.count {
            if bytes[start + k] != name[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether the identifier `name` occurs as a token (not in a comment or string).
    func mentions(_ name: String) -> Bool {
        guard identifiers.contains(IdentifierHash.of(name)) else { return false }
        let needle = Array(name.utf8)
        return tokens().contains { token($0, is: needle) }
    }
}
