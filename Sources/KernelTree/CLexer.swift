/// A C tokenizer good enough for kernel code and fast enough for a whole tree: it skips
/// comments, keeps string and character literals whole (so a `{` or a name inside them
/// never counts), joins backslash-continued lines, and marks preprocessor directives.
/// It does not preprocess: `#if` branches are all read, as a reader of the file sees them.
public enum CLexer {
    /// Appends the tokens of `bytes` to `tokens` (cleared first) and returns the number of
    /// lines.
    @discardableResult
    public static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [CToken]) -> Int {
        tokens.removeAll(keepingCapacity: true)
        tokens.reserveCapacity(bytes.count / 5)
        // Local copies: a static table read per byte costs a `swift_once` check each time.
        let identifierStart = CByte.identifierStart
        let identifierBody = CByte.identifierBody
        let n = bytes.count
        var i = 0
        var line: Int32 = 1
        var atLineStart = true
        var inDirective = false

        @inline(__always) func byte(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }
        @inline(__always) func emit(_ kind: CToken.Kind, _ punct: UInt8, _ start: Int, _ length: Int, _ line: Int32) {
            tokens.append(CToken(kind: kind, punct: punct, inDirective: inDirective,
                                 start: Int32(truncatingIfNeeded: start), length: Int32(truncatingIfNeeded: length),
                                 line: line))
        }

        while i < n {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"):
                line += 1
                atLineStart = true
                inDirective = false
                i += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                i += 1
            case UInt8(ascii: "\\"):
                // A continued line: the directive (if any) goes on.
                if byte(i + 1) == UInt8(ascii: "\n") {
                    line += 1
                    i += 2
                } else if byte(i + 1) == UInt8(ascii: "\r"), byte(i + 2) == UInt8(ascii: "\n") {
                    line += 1
                    i += 3
                } else {
                    i += 1
                }
            case UInt8(ascii: "/") where byte(i + 1) == UInt8(ascii: "/"):
                i += 2
                while i < n, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where byte(i + 1) == UInt8(ascii: "*"):
                i += 2
                while i < n {
                    if bytes[i] == UInt8(ascii: "*"), byte(i + 1) == UInt8(ascii: "/") {
                        i += 2
                        break
                    }
                    if bytes[i] == UInt8(ascii: "\n") { line += 1 }
                    i += 1
                }
                if i > n { i = n }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let start = i
                let startLine = line
                i += 1
                while i < n {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\\") {
                        if byte(i + 1) == UInt8(ascii: "\n") { line += 1 }
                        i += 2
                        continue
                    }
                    // An unterminated literal ends at the line's end, so one stray quote
                    // (an apostrophe in `#error don't`) cannot swallow the file.
                    if c == UInt8(ascii: "\n") { break }
                    i += 1
                    if c == b { break }
                }
                if i > n { i = n }
                emit(b == UInt8(ascii: "\"") ? .string : .character, 0, start, i - start, startLine)
                atLineStart = false
            case UInt8(ascii: "#") where atLineStart:
                inDirective = true
                emit(.punctuation, CPunct.directive, i, 1, line)
                atLineStart = false
                i += 1
            default:
                if identifierStart[Int(b)] {
                    let start = i
                    i += 1
                    while i < n, identifierBody[Int(bytes[i])] { i += 1 }
                    emit(.identifier, 0, start, i - start, line)
                } else if (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                            || (b == UInt8(ascii: ".") && byte(i + 1) >= UInt8(ascii: "0") && byte(i + 1) <= UInt8(ascii: "9")) {
                    let start = i
                    i += 1
                    while i < n {
                        let c = bytes[i]
                        if identifierBody[Int(c)] || c == UInt8(ascii: ".") {
                            i += 1
                        } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-"),
                                  case let e = bytes[i - 1] | 0x20, e == UInt8(ascii: "e") || e == UInt8(ascii: "p") {
                            i += 1
                        } else {
                            break
                        }
                    }
                    emit(.number, 0, start, i - start, line)
                } else {
                    let (code, length) = punctuation(b, byte(i + 1), byte(i + 2))
                    emit(.punctuation, code, i, length, line)
                    i += length
                }
                atLineStart = false
            }
        }
        return n > 0 && bytes[n - 1] != UInt8(ascii: "\n") ? Int(line) : Int(line) - 1
    }

    /// The code and length of the punctuator starting with `a`.
    @inline(__always)
    static func punctuation(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> (UInt8, Int) {
        switch (a, b) {
        case (UInt8(ascii: "-"), UInt8(ascii: ">")): return (CPunct.arrow, 2)
        case (UInt8(ascii: "="), UInt8(ascii: "=")), (UInt8(ascii: "!"), UInt8(ascii: "=")),
             (UInt8(ascii: "<"), UInt8(ascii: "=")), (UInt8(ascii: ">"), UInt8(ascii: "=")):
            return (CPunct.comparison, 2)
        case (UInt8(ascii: "<"), UInt8(ascii: "<")), (UInt8(ascii: ">"), UInt8(ascii: ">")):
            return c == UInt8(ascii: "=") ? (CPunct.compoundAssign, 3) : (CPunct.shift, 2)
        case (UInt8(ascii: "&"), UInt8(ascii: "&")), (UInt8(ascii: "|"), UInt8(ascii: "|")):
            return (CPunct.logical, 2)
        case (UInt8(ascii: "+"), UInt8(ascii: "+")), (UInt8(ascii: "-"), UInt8(ascii: "-")):
            return (CPunct.increment, 2)
        case (UInt8(ascii: "."), UInt8(ascii: ".")) where c == UInt8(ascii: "."):
            return (CPunct.ellipsis, 3)
        case (UInt8(ascii: "#"), UInt8(ascii: "#")):
            return (CPunct.paste, 2)
        case (UInt8(ascii: "+"), UInt8(ascii: "=")), (UInt8(ascii: "-"), UInt8(ascii: "=")),
             (UInt8(ascii: "*"), UInt8(ascii: "=")), (UInt8(ascii: "/"), UInt8(ascii: "=")),
             (UInt8(ascii: "%"), UInt8(ascii: "=")), (UInt8(ascii: "&"), UInt8(ascii: "=")),
             (UInt8(ascii: "|"), UInt8(ascii: "=")), (UInt8(ascii: "^"), UInt8(ascii: "=")):
            return (CPunct.compoundAssign, 2)
        default:
            return (a, 1)
        }
    }
}
