/// Something a C file defines, as the symbol index and the context tools name it.
public struct CDefinition: Sendable, Hashable {
    /// Stored as one letter in the index (the letters ctags uses where it has one).
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        case function = 0x66      // f
        case prototype = 0x70     // p
        case macro = 0x64         // d
        case structure = 0x73     // s
        case union = 0x75         // u
        case enumeration = 0x67   // g
        case enumerator = 0x65    // e
        case typedef = 0x74       // t
        case member = 0x6D        // m
        case variable = 0x76      // v

        /// How a maintainer says it: `struct`, `macro`, `function`.
        public var label: String {
            switch self {
            case .function: "function"
            case .prototype: "prototype"
            case .macro: "macro"
            case .structure: "struct"
            case .union: "union"
            case .enumeration: "enum"
            case .enumerator: "enumerator"
            case .typedef: "typedef"
            case .member: "member"
            case .variable: "variable"
            }
        }

        /// `struct`, `union` and `enum` are looked up with their keyword.
        public var tagKeyword: String? {
            switch self {
            case .structure: "struct"
            case .union: "union"
            case .enumeration: "enum"
            default: nil
            }
        }
    }

    public var name: String
    public var kind: Kind
    /// First line of the definition (the return type's line for a function).
    public var line: Int
    /// Last line: the closing brace, the `;`, or the last continued line of a macro.
    public var endLine: Int
    /// For members and enumerators: the struct, union or enum (tag or typedef name) they
    /// belong to; empty when it has no name.
    public var scope: String
    /// `static` functions and variables (file-local helpers).
    public var isStatic: Bool

    public init(name: String, kind: Kind, line: Int, endLine: Int, scope: String = "", isStatic: Bool = false) {
        self.name = name
        self.kind = kind
        self.line = line
        self.endLine = endLine
        self.scope = scope
        self.isStatic = isStatic
    }

    /// `struct foo_priv`, `foo_probe()`, `FOO_FLAG`: the name as the context titles show it.
    public var displayName: String {
        if let keyword = kind.tagKeyword { return "\(keyword) \(name)" }
        if kind == .function || kind == .prototype { return "\(name)()" }
        if kind == .member, !scope.isEmpty { return "\(scope).\(name)" }
        return name
    }

    public func contains(line: Int) -> Bool { line >= self.line && line <= endLine }
}
