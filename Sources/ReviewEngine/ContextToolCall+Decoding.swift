import Foundation

extension MessagesAPI.Tool {
    /// The context tools of claude-api.md ("Context tools"), offered when the review has a
    /// tree, in the order the contract lists them.
    public static let contextTools: [MessagesAPI.Tool] = [readFunction, findDefinition, findCallers, grep, readFile]

    static let versionProperty: JSONValue = [
        "type": "string", "enum": ["patched", "base"],
        "description": "patched (default): the tree after this patch; base: the tree before the series",
    ]

    public static let readFunction = MessagesAPI.Tool(
        name: "read_function",
        description: "The whole function, with its file and first line number.",
        inputSchema: [
            "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": [
                "name": ["type": "string", "description": "the function name, e.g. foo_probe"],
                "file": ["type": "string", "description": "optional path, when the name is defined in several files"],
                "version": versionProperty,
            ],
        ])

    public static let findDefinition = MessagesAPI.Tool(
        name: "find_definition",
        description: "The definition of a struct, union, enum, typedef, macro or function prototype, with its file and line.",
        inputSchema: [
            "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": [
                "name": ["type": "string", "description": "struct foo_priv | FOO_FLAG | foo_t | foo_ops"],
            ],
        ])

    public static let findCallers = MessagesAPI.Tool(
        name: "find_callers",
        description: "Every call site of a function (file:line, the calling function, the line), including references through function-pointer initialisers such as .remove = foo_remove.",
        inputSchema: [
            "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": ["name": ["type": "string", "description": "the function name"]],
        ])

    public static let grep = MessagesAPI.Tool(
        name: "grep",
        description: "Lines of the tree matching a POSIX extended regular expression, as file:line:text.",
        inputSchema: [
            "type": "object", "additionalProperties": false, "required": ["pattern"],
            "properties": [
                "pattern": ["type": "string", "description": "POSIX extended regex"],
                "path": ["type": "string", "description": "optional pathspec, e.g. drivers/usb/"],
            ],
        ])

    public static let readFile = MessagesAPI.Tool(
        name: "read_file",
        description: "Lines of a file, numbered.",
        inputSchema: [
            "type": "object", "additionalProperties": false, "required": ["file"],
            "properties": [
                "file": ["type": "string", "description": "path in the tree"],
                "start": ["type": "integer", "minimum": .number(1), "description": "first line, 1-based (default 1)"],
                "end": ["type": "integer", "minimum": .number(1), "description": "last line (default start + 199)"],
                "version": versionProperty,
            ],
        ])
}

/// Limits on what a model's tool call may ask, so hostile or confused input cannot make a
/// tool call expensive before the provider even sees it.
public enum ContextToolLimits {
    /// Bytes of one string argument (a name, a path, a pattern). The longest kernel
    /// identifiers and paths are under 100 bytes; 512 leaves room for a regex alternation.
    public static let maxArgumentBytes = 512
    /// A line number argument: no source file of the kernel has a million lines.
    public static let maxLineNumber = 1_000_000
}

extension ContextToolCall {
    /// The names of the context tools, for telling a context call from the final tool.
    public static let toolNames: Set<String> = Set(MessagesAPI.Tool.contextTools.map(\.name))

    /// Decodes one `tool_use` input strictly: the fields of the tool's schema with their
    /// types, nothing else. The error names the problem for the model's `is_error` result.
    public static func decode(tool name: String, input: JSONValue) throws(ToolInputError) -> ContextToolCall {
        let keys: Set<String> = switch name {
        case "read_function": ["name", "file", "version"]
        case "find_definition", "find_callers": ["name"]
        case "grep": ["pattern", "path"]
        case "read_file": ["file", "start", "end", "version"]
        default: throw ToolInputError(description: "there is no tool named \(String(name.prefix(64)).debugDescription)")
        }
        guard case .object(let fields) = input else { throw ToolInputError(description: "\(name) input is not an object") }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ToolInputError(description: "\(name) has no field \(String(unknown.prefix(64)).debugDescription); "
                                 + "it takes \(keys.sorted().joined(separator: ", "))")
        }
        func text(_ key: String, required: Bool) throws(ToolInputError) -> String? {
            switch fields[key] {
            case nil, .null?:
                if required { throw ToolInputError(description: "\(name) needs \"\(key)\"") }
                return nil
            case .string(let value)?:
                guard !value.isEmpty else { throw ToolInputError(description: "\(name): \"\(key)\" is empty") }
                guard value.utf8.count <= ContextToolLimits.maxArgumentBytes else {
                    throw ToolInputError(description: "\(name): \"\(key)\" is longer than \(ContextToolLimits.maxArgumentBytes) bytes")
                }
                guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw ToolInputError(description: "\(name): \"\(key)\" holds a control character")
                }
                return value
            default:
                throw ToolInputError(description: "\(name): \"\(key)\" is not a string")
            }
        }
        func line(_ key: String) throws(ToolInputError) -> Int? {
            switch fields[key] {
            case nil, .null?: return nil
            case .number(let value)?:
                guard value.rounded() == value, value >= 1, value <= Double(ContextToolLimits.maxLineNumber) else {
                    throw ToolInputError(description: "\(name): \"\(key)\" must be a whole number from 1 to \(ContextToolLimits.maxLineNumber)")
                }
                return Int(value)
            default:
                throw ToolInputError(description: "\(name): \"\(key)\" is not a number")
            }
        }
        func version() throws(ToolInputError) -> TreeVersion {
            guard let value = try text("version", required: false) else { return .patched }
            guard let version = TreeVersion(rawValue: value) else {
                throw ToolInputError(description: "\(name): \"version\" must be patched or base")
            }
            return version
        }
        switch name {
        case "read_function":
            return .readFunction(name: try text("name", required: true)!, file: try text("file", required: false),
                                 version: try version())
        case "find_definition":
            return .findDefinition(name: try text("name", required: true)!)
        case "find_callers":
            return .findCallers(name: try text("name", required: true)!)
        case "grep":
            return .grep(pattern: try text("pattern", required: true)!, path: try text("path", required: false))
        default:
            let start = try line("start"), end = try line("end")
            if let start, let end, end < start {
                throw ToolInputError(description: "read_file: \"end\" \(end) is before \"start\" \(start)")
            }
            return .readFile(file: try text("file", required: true)!, start: start, end: end, version: try version())
        }
    }
}
