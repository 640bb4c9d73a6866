/// One token of C source, by position: the lexer never copies text. Comments and
/// whitespace produce no tokens; string and character literals are one token each, so
/// braces and names inside them never count.
public struct CToken: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        case identifier
        case number
        case string
        case character
        case punctuation
    }

    public var kind: Kind
    /// For punctuation: the `CPunct` code; 0 otherwise.
    public var punct: UInt8
    /// Inside a preprocessor directive (`#define ...` up to its last continued line).
    public var inDirective: Bool
    /// Byte offset of the first byte.
    public var start: Int32
    public var length: Int32
    /// 1-based line of the first byte.
    public var line: Int32

    public var end: Int { Int(start) + Int(length) }

    public func isPunct(_ code: UInt8) -> Bool { kind == .punctuation && punct == code }
}

/// Punctuation codes: single characters keep their ASCII value; the few two-character
/// operators the scanners care about get codes of their own so `=` always means a plain
/// assignment or initialiser.
public enum CPunct {
    public static let arrow: UInt8 = 0x80        // ->
    public static let comparison: UInt8 = 0x81   // == != <= >=
    public static let compoundAssign: UInt8 = 0x82 // += -= *= /= %= &= |= ^= <<= >>=
    public static let logical: UInt8 = 0x83      // && ||
    public static let increment: UInt8 = 0x84    // ++ --
    public static let ellipsis: UInt8 = 0x85     // ...
    public static let paste: UInt8 = 0x86        // ##
    public static let shift: UInt8 = 0x87        // << >>
    /// The `#` that starts a preprocessor directive (a `#` inside one is stringizing).
    public static let directive: UInt8 = 0x88
}

/// The byte classes the lexer and the scanners share.
enum CByte {
    static let identifierStart: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = true }
        table[Int(UInt8(ascii: "_"))] = true
        table[Int(UInt8(ascii: "$"))] = true
        return table
    }()

    static let identifierBody: [Bool] = {
        var table = identifierStart
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = true }
        return table
    }()

    @inline(__always) static func isIdentifierStart(_ b: UInt8) -> Bool { identifierStart[Int(b)] }
    @inline(__always) static func isIdentifierBody(_ b: UInt8) -> Bool { identifierBody[Int(b)] }
}
