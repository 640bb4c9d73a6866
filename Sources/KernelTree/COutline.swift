/// What one C file defines, with the line span of each definition: functions (found by
/// brace matching over the tokens, so strings, characters and comments never count),
/// structs, unions, enums and their members, typedefs, macros, file-scope variables and
/// prototypes.
public struct COutline: Sendable, Hashable {
    /// In file order (by first line).
    public var definitions: [CDefinition]
    public var lineCount: Int

    public init(definitions: [CDefinition], lineCount: Int) {
        // By line; on one line a container before what it holds, then in the order found.
        func rank(_ d: CDefinition) -> Int { d.kind == .member || d.kind == .enumerator ? 1 : 0 }
        self.definitions = definitions.enumerated().sorted {
            ($0.element.line, rank($0.element), $0.offset) < ($1.element.line, rank($1.element), $1.offset)
        }.map(\.element)
        self.lineCount = lineCount
    }

    /// Reads `text` (UTF-8 C source) into an outline.
    public static func scan(_ text: String) -> COutline {
        var text = text
        return text.withUTF8 { scan(bytes: $0) }
    }

    public static func scan(bytes: UnsafeBufferPointer<UInt8>) -> COutline {
        var tokens: [CToken] = []
        let lines = CLexer.tokenize(bytes, into: &tokens)
        return scan(bytes: bytes, tokens: tokens, lineCount: lines)
    }

    /// The outline of already tokenized source.
    static func scan(bytes: UnsafeBufferPointer<UInt8>, tokens: [CToken], lineCount: Int) -> COutline {
        var scanner = COutlineScanner(bytes: bytes, tokens: tokens)
        return COutline(definitions: scanner.run(), lineCount: lineCount)
    }

    /// The function whose body holds `line`, if any.
    public func function(containing line: Int) -> CDefinition? {
        definitions.last { $0.kind == .function && $0.contains(line: line) }
    }

    /// The smallest top-level construct holding `line`: a function, a struct, union or
    /// enum, a variable with its initialiser, or a macro.
    public func enclosing(line: Int) -> CDefinition? {
        let kinds: Set<CDefinition.Kind> = [.function, .structure, .union, .enumeration, .variable, .macro, .typedef]
        return definitions.filter { kinds.contains($0.kind) && $0.contains(line: line) }
            .min { ($0.endLine - $0.line, $0.line) < ($1.endLine - $1.line, $1.line) }
    }

    public func definitions(named name: String) -> [CDefinition] {
        definitions.filter { $0.name == name }
    }
}
