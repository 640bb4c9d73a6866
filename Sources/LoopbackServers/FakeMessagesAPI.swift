import CurlKit
import Foundation

/// A stand-in for the Anthropic Messages API on 127.0.0.1: `POST /v1/messages` validated as
/// the real API validates what reviewbot sends, answered in the real response and error
/// shapes, with usage computed the way the API bills (prompt caching included) and the
/// `anthropic-ratelimit-*` headers. A script decides each answer; every exchange is recorded.
public final class FakeMessagesAPI: Sendable {
    public struct Options: Sendable {
        /// The only key accepted, as `x-api-key` or `Authorization: Bearer`.
        public var apiKey: String = "sk-ant-fake-key"
        /// Seconds added to every answer (the model "thinking").
        public var latency: Double = 0
        /// Seconds after a request arrives when its response begins, and with it the prompt
        /// prefix it wrote becomes readable from the cache (Anthropic: "a cache entry only
        /// becomes available after the first response begins"). Nil: when the whole answer
        /// is sent, the most a client that does not stream can rely on.
        public var timeToFirstToken: Double?
        /// Prompt prefixes shorter than this are never cached: Anthropic's minimum for
        /// Sonnet- and Opus-class models (Haiku-class models need 2048).
        public var minimumCacheableTokens: Int = 1_024
        /// The largest `max_tokens` accepted: Claude Sonnet 4.5's output limit.
        public var maxOutputTokens: Int = 64_000
        public var limits = RateLimits()
        /// Fake time: cache lifetimes and rate-limit windows are measured with it.
        public var now: @Sendable () -> Date = { Date() }

        public init() {}
    }

    /// Per-minute limits, reported in the rate-limit headers and enforced with 429s.
    public struct RateLimits: Sendable, Hashable {
        public var requestsPerMinute: Int = 4_000
        /// Uncached input plus cache writes (cache reads do not count, as with the real API).
        public var inputTokensPerMinute: Int = 2_000_000
        public var outputTokensPerMinute: Int = 400_000

        public init() {}
    }

    /// What the fake knows about one valid request when the script decides its answer.
    public struct Call: Sendable {
        /// 1 for the first valid request the server got, 2 for the next, ...
        public var number: Int
        /// 1 for the first request with this `userText`, 2 for the next (a task's retries).
        public var attempt: Int
        public var model: String
        public var maxTokens: Int
        /// The tool forced by `tool_choice`, if any; under `{"type": "any"}` the last tool
        /// offered (the one a `.tool(input:)` reply calls).
        public var tool: String?
        /// `tool_choice.type` (`tool`, `any`, ...), nil when the request has none.
        public var choice: String?
        /// The names of the tools offered, in order.
        public var tools: [String]
        /// The system text blocks joined by blank lines.
        public var systemText: String
        /// The text blocks and tool results of the last user message joined by blank lines.
        public var userText: String
        /// The `tool_result` blocks of the last user message.
        public var toolResults: [ToolResult]
        /// 1 for the first request of a conversation, 2 after one assistant turn, ...
        public var turn: Int
    }

    /// A `tool_result` block the client sent.
    public struct ToolResult: Sendable, Hashable {
        public var toolUseID: String
        public var content: String
        public var isError: Bool

        public init(toolUseID: String, content: String, isError: Bool) {
            self.toolUseID = toolUseID
            self.content = content
            self.isError = isError
        }
    }

    /// One tool call of a `.toolCalls` reply.
    public struct ToolCall: Sendable {
        public var name: String
        /// A JSON object's bytes (not JSON: `{}`).
        public var input: Data

        public init(name: String, input: Data) {
            self.name = name
            self.input = input
        }

        public init(name: String, json: String) { self.init(name: name, input: Data(json.utf8)) }
    }

    /// The answer to one request.
    public indirect enum Reply: Sendable {
        /// The forced tool called with this input (a JSON object's bytes; bytes that are not
        /// JSON become `{}`), `stop_reason: tool_use`. Without a forced tool the bytes are
        /// sent as a text block with `stop_reason: end_turn`.
        case tool(input: Data)
        /// A text answer, `stop_reason: end_turn` (a model that ignored `tool_choice`).
        case text(String)
        /// Calls of these tools, in order, `stop_reason: tool_use`, with ids
        /// `toolu_fake_<request>_<n>`. As with the real API, a request that forces one tool
        /// gets only calls of that tool: the others are left out, and with none left the
        /// forced tool is called with `{}`.
        case toolCalls([ToolCall])
        /// Cut at `max_tokens`: the tool call with this partial input (JSON text cut mid-value
        /// becomes `{}`), or with nil only the start of a text answer.
        case cut(partialInput: Data?)
        /// 429 rate_limit_error with `retry-after`.
        case rateLimited(retryAfter: Int)
        /// 429 whose message says the organisation's usage limit is reached.
        case spendLimitReached
        /// 529 overloaded_error.
        case overloaded
        /// 500 api_error.
        case serverError
        /// `reply`, after `seconds` more than the configured latency.
        case slow(seconds: Double, Reply)
        /// The connection closes without an answer.
        case dropConnection

        /// `.tool(input:)` from JSON text.
        public static func tool(json: String) -> Reply { .tool(input: Data(json.utf8)) }
    }

    public typealias Script = @Sendable (Call) -> Reply

    /// Tokens of one answer, as its `usage` reported them.
    public struct Usage: Sendable, Hashable {
        public var inputTokens = 0
        public var cacheCreationInputTokens = 0
        public var cacheReadInputTokens = 0
        public var outputTokens = 0

        public init() {}

        /// Every input token, whatever its rate.
        public var totalInputTokens: Int { inputTokens + cacheCreationInputTokens + cacheReadInputTokens }

        public static func + (lhs: Usage, rhs: Usage) -> Usage {
            var sum = lhs
            sum.inputTokens += rhs.inputTokens
            sum.cacheCreationInputTokens += rhs.cacheCreationInputTokens
            sum.cacheReadInputTokens += rhs.cacheReadInputTokens
            sum.outputTokens += rhs.outputTokens
            return sum
        }
    }

    /// One request and what the fake did with it.
    public struct Exchange: Sendable {
        public var headers: HTTPHeaders
        public var body: Data
        /// Nil when the request failed validation.
        public var call: Call?
        /// 0 when the connection was dropped.
        public var status: Int
        /// The `error.message` of an error answer.
        public var errorMessage: String?
        /// Set for 200 answers.
        public var usage: Usage?

        /// The body as decoded JSON (`[String: Any]`), for assertions on any field.
        public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    }

    /// Largest request body accepted: the Messages API's 32 MB request size limit.
    static let maxRequestBytes = 32 * 1_024 * 1_024

    public var options: Options { responder.options }
    private let responder: Responder
    private let server: HTTPServer

    struct State {
        var exchanges: [Exchange] = []
        var attempts: [String: Int] = [:]
        var validCalls = 0
        var requestIDs = 0
        var cache = PromptCache()
        var window = RateWindow()
    }

    /// Starts the server. The default script calls the forced tool with an empty
    /// `findings` list (`report_findings`), a `confirmed` verdict (`verify_finding`) or `{}`.
    public init(options: Options = Options(), script: @escaping Script = FakeMessagesAPI.defaultReply) throws {
        let responder = Responder(options: options, script: script, state: Locked(State()))
        self.responder = responder
        server = try HTTPServer { request in responder.respond(to: request) }
    }

    public static func defaultReply(_ call: Call) -> Reply {
        switch call.tool {
        case "report_findings": .tool(json: #"{"findings":[]}"#)
        case "verify_finding": .tool(json: #"{"verdict":"confirmed","reason":"the code does what the finding says"}"#)
        default: .tool(json: "{}")
        }
    }

    /// `http://127.0.0.1:PORT`: what `ANTHROPIC_BASE_URL` would be.
    public var baseURL: String { server.baseURL }

    public func stop() { server.stop() }

    /// Every request received, in arrival order.
    public var exchanges: [Exchange] { responder.state.withLock { $0.exchanges } }

    /// The usage of every 200 answer, summed.
    public var totalUsage: Usage { exchanges.compactMap(\.usage).reduce(Usage(), +) }
}

extension FakeMessagesAPI {
    /// The server's behaviour, apart from the server so the handler holds no reference
    /// back to the `FakeMessagesAPI` that owns the server.
    struct Responder: Sendable {
        let options: Options
        let script: Script
        let state: Locked<State>

        func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
            let now = options.now()
            var exchange = Exchange(headers: request.headers, body: request.body, call: nil, status: 0)
            let response: HTTPServerResponse
            switch validate(request) {
            case .failure(let error):
                exchange.status = error.status
                exchange.errorMessage = error.message
                response = errorResponse(error, requestID: nextRequestID(), headers: HTTPHeaders())
            case .success(let parsed):
                response = answer(parsed, now: now, exchange: &exchange)
            }
            state.withLock { $0.exchanges.append(exchange) }
            return response
        }

        private func answer(_ parsed: ParsedRequest, now: Date, exchange: inout Exchange) -> HTTPServerResponse {
            let call = state.withLock { state -> Call in
                state.validCalls += 1
                state.attempts[parsed.userText, default: 0] += 1
                return Call(number: state.validCalls, attempt: state.attempts[parsed.userText]!, model: parsed.model,
                            maxTokens: parsed.maxTokens, tool: parsed.forcedTool, choice: parsed.choice,
                            tools: parsed.tools, systemText: parsed.systemText, userText: parsed.userText,
                            toolResults: parsed.toolResults, turn: parsed.turn)
            }
            exchange.call = call
            let requestID = nextRequestID()

            // Rate limits are checked before the model runs (and the script is asked), as
            // the real API refuses before any work.
            let limitHeaders: HTTPHeaders
            let admitted = state.withLock { state in
                state.window.admit(inputTokens: parsed.estimatedInputTokens, limits: options.limits, now: now)
            }
            switch admitted {
            case .refused(let error, let headers):
                exchange.status = error.status
                exchange.errorMessage = error.message
                return errorResponse(error, requestID: requestID, headers: headers)
            case .admitted(let headers):
                limitHeaders = headers
            }

            var reply = script(call)
            var delay = options.latency
            while case .slow(let seconds, let inner) = reply {
                delay += seconds
                reply = inner
            }

            let failure: APIError? = switch reply {
            case .rateLimited(let seconds):
                APIError(status: 429, type: "rate_limit_error",
                         message: "Number of request tokens has exceeded your per-minute rate limit",
                         retryAfter: seconds)
            case .spendLimitReached:
                APIError(status: 429, type: "rate_limit_error",
                         message: "You have reached your specified API usage limits. You will regain access on the 1st of next month.")
            case .overloaded: APIError(status: 529, type: "overloaded_error", message: "Overloaded")
            case .serverError: APIError(status: 500, type: "api_error", message: "Internal server error")
            default: nil
            }
            if let failure {
                exchange.status = failure.status
                exchange.errorMessage = failure.message
                var response = errorResponse(failure, requestID: requestID, headers: limitHeaders)
                response.delay = delay
                return response
            }
            if case .dropConnection = reply {
                return HTTPServerResponse(delay: delay, dropsConnection: true)
            }

            let (content, stopReason, outputTokens) = Self.content(of: reply, parsed: parsed, toolUseID: "toolu_fake_\(call.number)")
            var usage = state.withLock { state in
                state.cache.usage(of: parsed, minimumTokens: options.minimumCacheableTokens, now: now,
                                  readableAt: now.addingTimeInterval(min(delay, options.timeToFirstToken ?? delay)))
            }
            usage.outputTokens = outputTokens
            state.withLock { $0.window.record(input: usage.inputTokens + usage.cacheCreationInputTokens, output: outputTokens) }
            exchange.status = 200
            exchange.usage = usage
            let body: [String: Any] = [
                "id": "msg_fake_\(call.number)", "type": "message", "role": "assistant", "model": parsed.model,
                "content": content, "stop_reason": stopReason, "stop_sequence": NSNull(),
                "usage": ["input_tokens": usage.inputTokens, "cache_creation_input_tokens": usage.cacheCreationInputTokens,
                          "cache_read_input_tokens": usage.cacheReadInputTokens, "output_tokens": usage.outputTokens],
            ]
            var headers = limitHeaders
            headers.set("content-type", "application/json")
            headers.set("request-id", requestID)
            return HTTPServerResponse(status: 200, headers: headers, body: FakeMessagesAPI.json(body), delay: delay)
        }

        /// The content blocks, stop reason and output tokens of a model answer.
        static func content(of reply: Reply, parsed: ParsedRequest, toolUseID: String) -> ([[String: Any]], String, Int) {
            func toolUse(_ input: Data) -> [String: Any] {
                let object = (try? JSONSerialization.jsonObject(with: input, options: [.fragmentsAllowed])) ?? [String: Any]()
                return ["type": "tool_use", "id": toolUseID,
                        "name": parsed.forcedTool ?? "unknown", "input": object]
            }
            switch reply {
            case .toolCalls(var calls):
                if parsed.choice == "tool", let forced = parsed.forcedTool {
                    calls = calls.filter { $0.name == forced }
                    if calls.isEmpty { calls = [ToolCall(name: forced, json: "{}")] }
                }
                let blocks: [[String: Any]] = calls.enumerated().map { number, call in
                    let object = (try? JSONSerialization.jsonObject(with: call.input)) as? [String: Any] ?? [:]
                    return ["type": "tool_use", "id": "\(toolUseID)_\(number + 1)", "name": call.name, "input": object]
                }
                return (blocks, "tool_use", TokenEstimator.tokens(forBytes: calls.reduce(0) { $0 + $1.input.count }))
            case .tool(let input) where parsed.forcedTool != nil:
                return ([toolUse(input)], "tool_use", TokenEstimator.tokens(forBytes: input.count))
            case .tool(let input):
                let text = String(decoding: input, as: UTF8.self)
                return ([["type": "text", "text": text]], "end_turn", TokenEstimator.tokens(for: text))
            case .text(let text):
                return ([["type": "text", "text": text]], "end_turn", TokenEstimator.tokens(for: text))
            case .cut(let partial?) where parsed.forcedTool != nil:
                return ([toolUse(partial)], "max_tokens", parsed.maxTokens)
            default:
                return ([["type": "text", "text": "Looking at the error path in this hunk, the first problem is"]],
                        "max_tokens", parsed.maxTokens)
            }
        }

        private func nextRequestID() -> String {
            "req_fake_" + String(state.withLock { state in
                state.requestIDs += 1
                return state.requestIDs
            })
        }

        func errorResponse(_ error: APIError, requestID: String, headers: HTTPHeaders) -> HTTPServerResponse {
            var headers = headers
            headers.set("content-type", "application/json")
            headers.set("request-id", requestID)
            if let seconds = error.retryAfter { headers.set("retry-after", String(seconds)) }
            let body: [String: Any] = ["type": "error", "error": ["type": error.type, "message": error.message]]
            return HTTPServerResponse(status: error.status, headers: headers, body: FakeMessagesAPI.json(body))
        }

    }

    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}

/// An error answer: status, `error.type`, `error.message`.
struct APIError: Error {
    var status: Int
    var type: String
    var message: String
    var retryAfter: Int?

    static func invalid(_ message: String) -> APIError {
        APIError(status: 400, type: "invalid_request_error", message: message)
    }
}
