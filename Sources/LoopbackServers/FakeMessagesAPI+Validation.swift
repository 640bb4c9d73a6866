import CurlKit
import Foundation

/// A request that passed validation, reduced to what answering and billing it need.
struct ParsedRequest {
    /// One cacheable unit of the prompt, in the order the API builds the prefix: tools,
    /// then system blocks, then message content blocks.
    struct Block {
        /// The block's JSON with sorted keys, without its `cache_control` (where a
        /// breakpoint sits does not change what is cached): the identity of a prefix.
        var bytes: Data
        var tokens: Int
        /// Seconds the prefix ending here stays cached when the block has `cache_control`.
        var cacheTTL: Double?
        /// A block of `messages` (not tools or system): `tool_choice` is part of its key.
        var inMessages = false
    }

    var model: String
    var maxTokens: Int
    /// The tool a `.tool(input:)` reply calls: the one `tool_choice` names, or under
    /// `any` the last tool offered.
    var forcedTool: String?
    /// `tool_choice.type`, nil when absent.
    var choice: String?
    /// The tools offered, in order.
    var tools: [String]
    var blocks: [Block]
    var systemText: String
    var userText: String
    /// The `tool_result` blocks of the last user message.
    var toolResults: [FakeMessagesAPI.ToolResult]
    /// 1 for a request with one user message, 2 after one assistant turn, ...
    var turn: Int
    /// `tool_choice` as sent (sorted-key JSON), part of the key of message blocks: the API
    /// keeps the tools and system cache when it changes, not the messages cache.
    var choiceBytes: Data

    var estimatedInputTokens: Int { blocks.reduce(0) { $0 + $1.tokens } }
}

extension FakeMessagesAPI {
    /// What the API accepts of a tool name.
    static let toolNamePattern = "^[a-zA-Z0-9_-]{1,64}$"
    /// At most this many blocks may carry `cache_control` in one request.
    static let maxCacheBreakpoints = 4
    /// `cache_control.ttl` values and their lifetimes in seconds.
    static let cacheTTLs: [String: Double] = ["5m": 300, "1h": 3_600]
}

extension FakeMessagesAPI.Responder {

    /// Checks the request as the real API does for the fields reviewbot uses; the first
    /// problem found is the answer, with the API's status, error type and wording.
    func validate(_ request: HTTPServerRequest) -> Result<ParsedRequest, APIError> {
        guard request.path == "/v1/messages" else {
            return .failure(APIError(status: 404, type: "not_found_error", message: "Not Found"))
        }
        guard request.method == "POST" else {
            return .failure(APIError(status: 405, type: "invalid_request_error",
                                     message: "Method Not Allowed: use POST for /v1/messages"))
        }
        let presented = request.headers["x-api-key"]
            ?? request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let presented else {
            return .failure(APIError(status: 401, type: "authentication_error", message: "x-api-key header is required"))
        }
        guard presented == options.apiKey else {
            return .failure(APIError(status: 401, type: "authentication_error", message: "invalid x-api-key"))
        }
        guard request.headers["anthropic-version"] != nil else {
            return .failure(.invalid("anthropic-version: header is required"))
        }
        guard request.body.count <= FakeMessagesAPI.maxRequestBytes else {
            return .failure(APIError(status: 413, type: "request_too_large",
                                     message: "Request exceeds the maximum allowed number of bytes."))
        }
        guard request.headers["content-type"]?.lowercased().hasPrefix("application/json") == true,
              let root = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
            return .failure(.invalid("There was an error parsing the body of your request: expected a JSON object"))
        }
        do {
            return .success(try parse(root))
        } catch let error as APIError {
            return .failure(error)
        } catch {
            return .failure(.invalid("\(error)"))
        }
    }

    private func parse(_ root: [String: Any]) throws -> ParsedRequest {
        guard let model = root["model"] as? String, !model.isEmpty else { throw APIError.invalid("model: Field required") }
        guard let maxTokensValue = root["max_tokens"] else { throw APIError.invalid("max_tokens: Field required") }
        guard let maxTokens = maxTokensValue as? Int, maxTokens >= 1 else {
            throw APIError.invalid("max_tokens: Input should be a valid integer greater than or equal to 1")
        }
        guard maxTokens <= options.maxOutputTokens else {
            throw APIError.invalid("max_tokens: \(maxTokens) > \(options.maxOutputTokens), which is the maximum allowed number of output tokens for \(model)")
        }
        if let temperature = root["temperature"] {
            guard let value = (temperature as? NSNumber)?.doubleValue, (0...1).contains(value) else {
                throw APIError.invalid("temperature: Input should be a number between 0 and 1")
            }
        }

        var blocks: [ParsedRequest.Block] = []
        var breakpoints = 0
        func add(_ block: [String: Any], at path: String) throws {
            var ttl: Double?
            if let control = block["cache_control"] {
                guard let control = control as? [String: Any], control["type"] as? String == "ephemeral" else {
                    throw APIError.invalid("\(path).cache_control.type: Input should be 'ephemeral'")
                }
                let name = control["ttl"] as? String ?? "5m"
                guard let seconds = FakeMessagesAPI.cacheTTLs[name] else {
                    throw APIError.invalid("\(path).cache_control.ttl: Input should be '5m' or '1h'")
                }
                ttl = seconds
                breakpoints += 1
            }
            blocks.append(ParsedRequest.Block(bytes: FakeMessagesAPI.json(block.filter { $0.key != "cache_control" }),
                                              tokens: TokenEstimator.tokens(inBlock: block), cacheTTL: ttl,
                                              inMessages: path.hasPrefix("messages.")))
        }

        var declared: [String] = []
        if let tools = root["tools"] {
            guard let tools = tools as? [[String: Any]] else { throw APIError.invalid("tools: Input should be a valid list") }
            for (index, tool) in tools.enumerated() {
                guard let name = tool["name"] as? String,
                      name.range(of: FakeMessagesAPI.toolNamePattern, options: .regularExpression) != nil else {
                    throw APIError.invalid("tools.\(index).name: String should match pattern '\(FakeMessagesAPI.toolNamePattern)'")
                }
                guard tool["input_schema"] is [String: Any] else {
                    throw APIError.invalid("tools.\(index).input_schema: Field required")
                }
                guard !declared.contains(name) else { throw APIError.invalid("tools: Tool names must be unique.") }
                declared.append(name)
                try add(tool, at: "tools.\(index)")
            }
        }

        var systemTexts: [String] = []
        switch root["system"] {
        case nil:
            break
        case let text as String:
            systemTexts = [text]
            blocks.append(ParsedRequest.Block(bytes: FakeMessagesAPI.json([text]), tokens: TokenEstimator.tokens(for: text), cacheTTL: nil))
        case let list as [[String: Any]]:
            for (index, block) in list.enumerated() {
                guard block["type"] as? String == "text", let text = block["text"] as? String else {
                    throw APIError.invalid("system.\(index): Input should be a text block")
                }
                guard !text.isEmpty else { throw APIError.invalid("system.\(index).text: text content blocks must be non-empty") }
                systemTexts.append(text)
                try add(block, at: "system.\(index)")
            }
        default:
            throw APIError.invalid("system: Input should be a valid string or list of text blocks")
        }

        guard let messages = root["messages"] as? [[String: Any]] else { throw APIError.invalid("messages: Field required") }
        guard !messages.isEmpty else { throw APIError.invalid("messages: at least one message is required") }
        var userText = ""
        var toolResults: [FakeMessagesAPI.ToolResult] = []
        var previousRole: String?
        // The tool_use ids of the assistant message just before, each owed a tool_result.
        var owed: [String] = []
        var sawToolBlocks = false
        var turn = 1
        for (index, message) in messages.enumerated() {
            guard let role = message["role"] as? String, role == "user" || role == "assistant" else {
                throw APIError.invalid("messages.\(index).role: Input should be 'user' or 'assistant'")
            }
            if index == 0, role != "user" { throw APIError.invalid("messages: first message must use the \"user\" role") }
            if role == previousRole {
                throw APIError.invalid("messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"\(role)\" roles in a row")
            }
            if role == "assistant" { turn += 1 }
            previousRole = role
            var texts: [String] = []
            var results: [FakeMessagesAPI.ToolResult] = []
            var uses: [String] = []
            var sawOtherContent = false
            switch message["content"] {
            case let text as String:
                guard !text.isEmpty else { throw APIError.invalid("messages.\(index).content: must be non-empty") }
                texts = [text]
                sawOtherContent = true
                blocks.append(ParsedRequest.Block(bytes: FakeMessagesAPI.json([text]), tokens: TokenEstimator.tokens(for: text),
                                                  cacheTTL: nil, inMessages: true))
            case let list as [[String: Any]]:
                guard !list.isEmpty else { throw APIError.invalid("messages.\(index).content: must be non-empty") }
                for (number, block) in list.enumerated() {
                    let path = "messages.\(index).content.\(number)"
                    guard let type = block["type"] as? String else { throw APIError.invalid("\(path).type: Field required") }
                    switch type {
                    case "text":
                        guard let text = block["text"] as? String, !text.isEmpty else {
                            throw APIError.invalid("\(path).text: text content blocks must be non-empty")
                        }
                        texts.append(text)
                        sawOtherContent = true
                    case "tool_use":
                        guard role == "assistant" else {
                            throw APIError.invalid("\(path): `tool_use` blocks can only be in `assistant` messages")
                        }
                        guard let id = block["id"] as? String,
                              id.range(of: "^[a-zA-Z0-9_-]+$", options: .regularExpression) != nil else {
                            throw APIError.invalid("\(path).id: String should match pattern '^[a-zA-Z0-9_-]+$'")
                        }
                        guard block["name"] is String else { throw APIError.invalid("\(path).name: Field required") }
                        guard block["input"] is [String: Any] else {
                            throw APIError.invalid("\(path).input: Input should be a valid dictionary")
                        }
                        uses.append(id)
                        sawToolBlocks = true
                    case "tool_result":
                        guard role == "user" else {
                            throw APIError.invalid("\(path): `tool_result` blocks can only be in `user` messages")
                        }
                        guard !sawOtherContent else {
                            throw APIError.invalid("messages.\(index): `tool_result` blocks must come first in the content of a user message, before any other content")
                        }
                        guard let id = block["tool_use_id"] as? String else {
                            throw APIError.invalid("\(path).tool_use_id: Field required")
                        }
                        guard owed.contains(id) else {
                            throw APIError.invalid("\(path): unexpected `tool_use_id` found in `tool_result` blocks: \(id). Each `tool_result` block must have a corresponding `tool_use` block in the previous message.")
                        }
                        let content: String
                        switch block["content"] {
                        case nil: content = ""
                        case let text as String: content = text
                        case let parts as [[String: Any]]:
                            guard parts.allSatisfy({ $0["type"] as? String == "text" && $0["text"] is String }) else {
                                throw APIError.invalid("\(path).content: Input should be a valid string or list of text blocks")
                            }
                            content = parts.compactMap { $0["text"] as? String }.joined(separator: "\n")
                        default:
                            throw APIError.invalid("\(path).content: Input should be a valid string or list of text blocks")
                        }
                        var isError = false
                        if let flag = block["is_error"] {
                            guard let value = flag as? Bool else {
                                throw APIError.invalid("\(path).is_error: Input should be a valid boolean")
                            }
                            isError = value
                        }
                        sawToolBlocks = true
                        results.append(FakeMessagesAPI.ToolResult(toolUseID: id, content: content, isError: isError))
                        texts.append(content)
                    default:
                        throw APIError.invalid("\(path).type: Input tag '\(type)' found using 'type' does not match any of the expected tags: 'text', 'tool_use', 'tool_result'")
                    }
                    try add(block, at: path)
                }
            default:
                throw APIError.invalid("messages.\(index).content: Field required")
            }
            if role == "user" {
                let answered = Set(results.map(\.toolUseID))
                if let missing = owed.first(where: { !answered.contains($0) }) {
                    throw APIError.invalid("messages.\(index): `tool_use` ids were found without `tool_result` blocks immediately after: \(missing). Each `tool_use` block must have a corresponding `tool_result` block in the next message.")
                }
                userText = texts.joined(separator: "\n\n")
                toolResults = results
                owed = []
            } else {
                owed = uses
            }
        }
        if let missing = owed.first {
            throw APIError.invalid("messages.\(messages.count - 1): `tool_use` ids were found without `tool_result` blocks immediately after: \(missing). Each `tool_use` block must have a corresponding `tool_result` block in the next message.")
        }
        if declared.isEmpty, sawToolBlocks {
            throw APIError.invalid("Requests which include `tool_use` or `tool_result` blocks must define tools.")
        }
        guard breakpoints <= FakeMessagesAPI.maxCacheBreakpoints else {
            throw APIError.invalid("A maximum of \(FakeMessagesAPI.maxCacheBreakpoints) blocks with cache_control may be provided. Found \(breakpoints).")
        }

        var forcedTool: String?
        var choiceType: String?
        if let choice = root["tool_choice"] {
            guard let choice = choice as? [String: Any], let type = choice["type"] as? String,
                  ["auto", "any", "tool", "none"].contains(type) else {
                throw APIError.invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
            }
            choiceType = type
            if type != "none", type != "auto", declared.isEmpty {
                throw APIError.invalid("tool_choice: tool_choice.type '\(type)' requires tools to be provided")
            }
            if type == "tool" {
                guard let name = choice["name"] as? String else { throw APIError.invalid("tool_choice.name: Field required") }
                guard declared.contains(name) else {
                    throw APIError.invalid("tool_choice: tool '\(name)' is not among the tools provided")
                }
                forcedTool = name
            } else if type == "any" {
                forcedTool = declared.last
            }
        }
        return ParsedRequest(model: model, maxTokens: maxTokens, forcedTool: forcedTool, choice: choiceType,
                             tools: declared, blocks: blocks, systemText: systemTexts.joined(separator: "\n\n"),
                             userText: userText, toolResults: toolResults, turn: turn,
                             choiceBytes: FakeMessagesAPI.json(root["tool_choice"].map { [$0] } ?? []))
    }
}

/// The fake's token count: UTF-8 bytes / 4, rounded up, per block (Anthropic's rule of thumb
/// for English and code). A block's bytes are those of its string values and object keys
/// (text, tool names, descriptions, input schemas), leaving out `type` tags and
/// `cache_control`, which carry no prompt text. The real tokenizer differs by some tens of
/// percent; the fake's figures are for comparing prompt layouts, not for predicting bills.
enum TokenEstimator {
    static func tokens(forBytes bytes: Int) -> Int { (bytes + 3) / 4 }
    static func tokens(for text: String) -> Int { tokens(forBytes: text.utf8.count) }

    static func tokens(inBlock block: [String: Any]) -> Int {
        var bytes = 0
        // An explicit work list: tool schemas are nested JSON from the client.
        var work: [Any] = [block.filter { $0.key != "type" && $0.key != "cache_control" }]
        while let value = work.popLast() {
            switch value {
            case let text as String:
                bytes += text.utf8.count
            case let list as [Any]:
                work.append(contentsOf: list)
            case let object as [String: Any]:
                for (key, inner) in object {
                    bytes += key.utf8.count
                    work.append(inner)
                }
            default:
                break
            }
        }
        return tokens(forBytes: bytes)
    }
}
