import Foundation

/// The Anthropic Messages API wire format (`POST /v1/messages`), field names as the API
/// spells them. Only what the engine sends and reads; unknown response fields are ignored.
public enum MessagesAPI {
    /// `{"type": "ephemeral"}`: everything up to and including the marked block is a
    /// cacheable prefix.
    public struct CacheControl: Sendable, Hashable, Codable {
        public var type: String = "ephemeral"
        /// `"1h"` for the longer cache; nil for the default five minutes.
        public var ttl: String?

        public init(ttl: String? = nil) { self.ttl = ttl }
    }

    /// A text content block (system prompt parts and user message parts).
    public struct TextBlock: Sendable, Hashable, Codable {
        public var type: String = "text"
        public var text: String
        public var cacheControl: CacheControl?

        public init(text: String, cacheControl: CacheControl? = nil) {
            self.text = text
            self.cacheControl = cacheControl
        }

        enum CodingKeys: String, CodingKey {
            case type, text
            case cacheControl = "cache_control"
        }
    }

    public struct Message: Sendable, Hashable, Codable {
        /// `user` or `assistant`.
        public var role: String
        public var content: [InputBlock]

        public init(role: String, content: [InputBlock]) {
            self.role = role
            self.content = content
        }

        public init(role: String, content: [TextBlock]) {
            self.init(role: role, content: content.map(InputBlock.text))
        }
    }

    /// A `tool_use` block of an assistant turn, sent back as the model wrote it.
    public struct ToolUseBlock: Sendable, Hashable, Codable {
        public var type: String = "tool_use"
        public var id: String
        public var name: String
        public var input: JSONValue
        public var cacheControl: CacheControl?

        public init(id: String, name: String, input: JSONValue) {
            self.id = id
            self.name = name
            self.input = input
        }

        enum CodingKeys: String, CodingKey {
            case type, id, name, input
            case cacheControl = "cache_control"
        }
    }

    /// A `tool_result` block of a user turn: the answer to the `tool_use` with the same id,
    /// as plain text. `is_error` is written only when true, so a request's bytes stay the
    /// same however the value was built.
    public struct ToolResultBlock: Sendable, Hashable, Codable {
        public var type: String = "tool_result"
        public var toolUseID: String
        public var content: String
        public var isError: Bool?
        public var cacheControl: CacheControl?

        public init(toolUseID: String, content: String, isError: Bool = false) {
            self.toolUseID = toolUseID
            self.content = content
            self.isError = isError ? true : nil
        }

        enum CodingKeys: String, CodingKey {
            case type, content
            case toolUseID = "tool_use_id"
            case isError = "is_error"
            case cacheControl = "cache_control"
        }
    }

    /// One content block of a request message: text, or the tool blocks of a tool loop.
    public enum InputBlock: Sendable, Hashable, Codable {
        case text(TextBlock)
        case toolUse(ToolUseBlock)
        case toolResult(ToolResultBlock)

        /// The text of a text block, the content of a tool result; nil for a tool call.
        public var text: String? {
            switch self {
            case .text(let block): block.text
            case .toolResult(let block): block.content
            case .toolUse: nil
            }
        }

        public var cacheControl: CacheControl? {
            get {
                switch self {
                case .text(let block): block.cacheControl
                case .toolUse(let block): block.cacheControl
                case .toolResult(let block): block.cacheControl
                }
            }
            set {
                switch self {
                case .text(var block): block.cacheControl = newValue; self = .text(block)
                case .toolUse(var block): block.cacheControl = newValue; self = .toolUse(block)
                case .toolResult(var block): block.cacheControl = newValue; self = .toolResult(block)
                }
            }
        }

        enum TypeKey: String, CodingKey { case type }

        public init(from decoder: any Decoder) throws {
            let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
            switch type {
            case "text": self = .text(try TextBlock(from: decoder))
            case "tool_use": self = .toolUse(try ToolUseBlock(from: decoder))
            case "tool_result": self = .toolResult(try ToolResultBlock(from: decoder))
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "unknown content block type \(type)"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .text(let block): try block.encode(to: encoder)
            case .toolUse(let block): try block.encode(to: encoder)
            case .toolResult(let block): try block.encode(to: encoder)
            }
        }
    }

    public struct Tool: Sendable, Hashable, Codable {
        /// Matches `^[a-zA-Z0-9_-]{1,64}$`.
        public var name: String
        public var description: String
        public var inputSchema: JSONValue

        public init(name: String, description: String, inputSchema: JSONValue) {
            self.name = name
            self.description = description
            self.inputSchema = inputSchema
        }

        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
    }

    /// `{"type": "tool", "name": ...}` forces the model to call that tool; `{"type": "any"}`
    /// makes it call one of the tools offered (the tool loop).
    public struct ToolChoice: Sendable, Hashable, Codable {
        public var type: String = "tool"
        public var name: String?

        public init(name: String) { self.name = name }

        /// Any of the offered tools, but some tool.
        public static var any: ToolChoice {
            var choice = ToolChoice(name: "")
            choice.type = "any"
            choice.name = nil
            return choice
        }
    }

    public struct Request: Sendable, Hashable, Codable {
        public var model: String
        public var maxTokens: Int
        public var system: [TextBlock]
        public var messages: [Message]
        public var tools: [Tool]
        public var toolChoice: ToolChoice
        public var temperature: Double?

        public init(model: String, maxTokens: Int, system: [TextBlock], messages: [Message],
                    tools: [Tool], toolChoice: ToolChoice, temperature: Double? = nil) {
            self.model = model
            self.maxTokens = maxTokens
            self.system = system
            self.messages = messages
            self.tools = tools
            self.toolChoice = toolChoice
            self.temperature = temperature
        }

        enum CodingKeys: String, CodingKey {
            case model, system, messages, tools, temperature
            case maxTokens = "max_tokens"
            case toolChoice = "tool_choice"
        }

        /// The bytes sent and hashed for the response cache (sorted keys, so stable).
        public func encoded() throws -> Data {
            do { return try CanonicalJSON.encode(self) } catch { throw ReviewEngineError.encoding("request", error) }
        }
    }

    public enum ContentBlock: Sendable, Hashable, Codable {
        case text(String)
        case toolUse(id: String, name: String, input: JSONValue)
        /// Block types the engine does not use (thinking, server tools), kept by name.
        case other(type: String)

        enum CodingKeys: String, CodingKey { case type, text, id, name, input }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "text":
                self = .text(try container.decode(String.self, forKey: .text))
            case "tool_use":
                self = .toolUse(id: try container.decode(String.self, forKey: .id),
                                name: try container.decode(String.self, forKey: .name),
                                input: try container.decode(JSONValue.self, forKey: .input))
            default:
                self = .other(type: type)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .toolUse(let id, let name, let input):
                try container.encode("tool_use", forKey: .type)
                try container.encode(id, forKey: .id)
                try container.encode(name, forKey: .name)
                try container.encode(input, forKey: .input)
            case .other(let type):
                try container.encode(type, forKey: .type)
            }
        }
    }

    public struct Usage: Sendable, Hashable, Codable {
        public var inputTokens: Int
        public var outputTokens: Int
        public var cacheCreationInputTokens: Int?
        public var cacheReadInputTokens: Int?

        public init(inputTokens: Int, outputTokens: Int, cacheCreationInputTokens: Int? = nil,
                    cacheReadInputTokens: Int? = nil) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cacheCreationInputTokens = cacheCreationInputTokens
            self.cacheReadInputTokens = cacheReadInputTokens
        }

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
        }
    }

    public struct Response: Sendable, Hashable, Codable {
        public var id: String
        public var type: String
        public var role: String
        public var content: [ContentBlock]
        public var model: String
        /// `end_turn | max_tokens | stop_sequence | tool_use | pause_turn | refusal |
        /// model_context_window_exceeded`; kept as a string so new values decode.
        public var stopReason: String?
        public var usage: Usage

        public init(id: String, type: String = "message", role: String = "assistant", content: [ContentBlock],
                    model: String, stopReason: String?, usage: Usage) {
            self.id = id
            self.type = type
            self.role = role
            self.content = content
            self.model = model
            self.stopReason = stopReason
            self.usage = usage
        }

        enum CodingKeys: String, CodingKey {
            case id, type, role, content, model, usage
            case stopReason = "stop_reason"
        }

        /// The input of the first call of the tool `name`, if the model made one.
        public func toolInput(named name: String) -> JSONValue? {
            for case .toolUse(_, let toolName, let input) in content where toolName == name { return input }
            return nil
        }

        /// Every tool call of the answer, in order.
        public var toolUses: [ToolUseBlock] {
            content.compactMap {
                if case .toolUse(let id, let name, let input) = $0 { ToolUseBlock(id: id, name: name, input: input) } else { nil }
            }
        }
    }

    /// `{"type": "error", "error": {"type": ..., "message": ...}}`.
    public struct ErrorBody: Sendable, Hashable, Codable {
        public struct Detail: Sendable, Hashable, Codable {
            public var type: String
            public var message: String

            public init(type: String, message: String) {
                self.type = type
                self.message = message
            }
        }

        public var type: String = "error"
        public var error: Detail

        public init(error: Detail) { self.error = error }
    }
}
