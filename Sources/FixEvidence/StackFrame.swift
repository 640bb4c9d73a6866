import Foundation

/// One frame of a kernel stack trace, without the offsets and addresses that change from
/// build to build: `foo_bar+0x12/0x340 net/core/dev.c:123` is `foo_bar` at `net/core/dev.c:123`.
public struct StackFrame: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The symbol as printed, compiler suffixes kept (`__slab_alloc.constprop.0`).
    public var symbol: String
    /// `net/core/dev.c:123`, when the report was symbolized.
    public var location: String?
    /// `[inline]`: the function was inlined into the next frame.
    public var isInline: Bool
    /// `[bluetooth]`: the module the function lives in.
    public var module: String?

    public init(symbol: String, location: String? = nil, isInline: Bool = false, module: String? = nil) {
        self.symbol = symbol
        self.location = location
        self.isInline = isInline
        self.module = module
    }

    /// The C function: the symbol without the suffixes GCC and Clang add to clones
    /// (`.constprop.0`, `.isra.0`, `.part.0`, `.cold`, `.llvm.123`).
    public var function: String {
        guard let dot = symbol.firstIndex(of: "."), dot > symbol.startIndex else { return symbol }
        return String(symbol[..<dot])
    }

    /// The source file without the line number.
    public var file: String? {
        guard let location, let colon = location.lastIndex(of: ":") else { return location }
        return String(location[..<colon])
    }

    /// `foo_bar (net/core/dev.c:123) [inline]`, as the model and the report show a frame.
    public var description: String {
        var text = symbol
        if let location { text += " (\(location))" }
        if isInline { text += " [inline]" }
        if let module { text += " [\(module)]" }
        return text
    }

    /// Reads one frame line: optional timestamp and `[<address>]` prefix, then
    /// `symbol[+0xOFF/0xSIZE] [path:line] [[inline]|[module]]`. A `? ` prefix marks a frame
    /// the unwinder was unsure of; those are skipped (nil), as are lines of any other shape.
    public static func parse(_ line: Substring) -> StackFrame? {
        var rest = SyzbotReportParser.strippingTimestamp(line).drop { $0 == " " || $0 == "\t" }
        if rest.hasPrefix("[<") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        let words = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first, words.count <= 3 else { return nil }
        var symbol = first
        if let plus = symbol.firstIndex(of: "+") {
            guard isOffset(symbol[symbol.index(after: plus)...]) else { return nil }
            symbol = symbol[..<plus]
        }
        guard isSymbol(symbol) else { return nil }
        var frame = StackFrame(symbol: String(symbol))
        for word in words.dropFirst() {
            if word == "[inline]" {
                frame.isInline = true
            } else if word.hasPrefix("["), word.hasSuffix("]"), word.count > 2 {
                let name = word.dropFirst().dropLast()
                guard isSymbol(name) else { return nil }
                frame.module = String(name)
            } else if frame.location == nil, isLocation(word) {
                frame.location = String(word)
            } else {
                return nil
            }
        }
        // A bare word is a frame only with an offset or a location: `Modules linked in:`
        // and the like are not.
        guard first.contains("+") || frame.location != nil || frame.isInline || frame.module != nil else { return nil }
        return frame
    }

    /// `0x12/0x340`.
    static func isOffset(_ text: Substring) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            part.hasPrefix("0x") && part.count > 2 && part.dropFirst(2).allSatisfy(\.isHexDigit)
        }
    }

    static func isSymbol(_ text: Substring) -> Bool {
        guard let first = text.first, first == "_" || first.isASCII && first.isLetter else { return false }
        return text.utf8.count <= FixEvidenceLimits.symbolBytes && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
    }

    /// `net/core/dev.c:123`.
    static func isLocation(_ text: Substring) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon > text.startIndex else { return false }
        let line = text[text.index(after: colon)...]
        let path = text[..<colon]
        return !line.isEmpty && line.allSatisfy(\.isNumber) && path.utf8.count <= FixEvidenceLimits.pathBytes
            && path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_-.+".contains($0)) }
            && !path.hasPrefix("/") && !path.contains("..")
    }
}
