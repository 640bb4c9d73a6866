import CurlKit
import Foundation
import LoopbackServers
import Testing
@testable import ReviewEngine

/// The fake on its own, through raw HTTP: it must reject what the real API rejects, answer
/// in the real shapes and bill caching as the API does, or the end-to-end tests prove nothing.
@Suite struct FakeMessagesAPITests {
    static let key = "sk-ant-fake-test"

    /// Fake time the test moves by hand.
    final class ManualTime: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date(timeIntervalSince1970: 1_800_000_000)
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: Double) { lock.withLock { current += seconds } }
    }

    static func start(time: ManualTime? = nil, limits: FakeMessagesAPI.RateLimits = .init(),
                      script: @escaping FakeMessagesAPI.Script = FakeMessagesAPI.defaultReply) throws -> FakeMessagesAPI {
        var options = FakeMessagesAPI.Options()
        options.apiKey = key
        options.limits = limits
        if let time { options.now = { time.now } }
        return try FakeMessagesAPI(options: options, script: script)
    }

    static func post(_ fake: FakeMessagesAPI, _ body: [String: Any], path: String = "/v1/messages",
                     headers: HTTPHeaders = ["x-api-key": key, "anthropic-version": "2023-06-01",
                                             "content-type": "application/json"]) async throws -> (HTTPResponse, [String: Any]) {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let response = try await CurlClient().send(HTTPRequest(method: "POST", url: fake.baseURL + path,
                                                               headers: headers, body: data))
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
        return (response, json)
    }

    static var tool: [String: Any] { ["name": "report_findings", "description": "d",
                                      "input_schema": ["type": "object"] as [String: Any]] }

    static func request(system: [[String: Any]] = [["type": "text", "text": "PROTOCOL"]],
                        user: String = "REVIEW THIS", tools: [[String: Any]] = [tool],
                        choice: String = "report_findings") -> [String: Any] {
        ["model": "claude-sonnet-4-5", "max_tokens": 1_000, "system": system,
         "messages": [["role": "user", "content": [["type": "text", "text": user]]]],
         "tools": tools, "tool_choice": ["type": "tool", "name": choice]]
    }

    static func cached(_ text: String, ttl: String? = nil) -> [String: Any] {
        var control: [String: Any] = ["type": "ephemeral"]
        if let ttl { control["ttl"] = ttl }
        return ["type": "text", "text": text, "cache_control": control]
    }

    @Test func rejectsWhatTheRealAPIRejectsWithItsErrorShape() async throws {
        let fake = try Self.start()
        defer { fake.stop() }
        var badName = Self.tool
        badName["name"] = "report findings!"
        var alternating = Self.request()
        alternating["messages"] = [["role": "user", "content": "a"], ["role": "user", "content": "b"]]
        var noModel = Self.request()
        noModel["model"] = nil
        let cases: [(String, [String: Any], HTTPHeaders?, String, Int, String)] = [
            ("no key", Self.request(), ["anthropic-version": "2023-06-01", "content-type": "application/json"], "/v1/messages",
             401, "authentication_error"),
            ("wrong key", Self.request(), ["x-api-key": "sk-wrong", "anthropic-version": "2023-06-01",
                                           "content-type": "application/json"], "/v1/messages", 401, "authentication_error"),
            ("no version", Self.request(), ["x-api-key": Self.key, "content-type": "application/json"], "/v1/messages",
             400, "invalid_request_error"),
            ("wrong path", Self.request(), nil, "/v1/complete", 404, "not_found_error"),
            ("no model", noModel, nil, "/v1/messages", 400, "invalid_request_error"),
            ("bad tool name", Self.request(tools: [badName]), nil, "/v1/messages", 400, "invalid_request_error"),
            ("undeclared tool", Self.request(choice: "verify_finding"), nil, "/v1/messages", 400, "invalid_request_error"),
            ("roles", alternating, nil, "/v1/messages", 400, "invalid_request_error"),
            ("5 breakpoints", Self.request(system: (0..<5).map { Self.cached("block \($0)") }), nil, "/v1/messages",
             400, "invalid_request_error"),
            ("bad ttl", Self.request(system: [Self.cached("x", ttl: "2h")]), nil, "/v1/messages", 400, "invalid_request_error"),
        ]
        for (name, body, headers, path, status, type) in cases {
            let (answer, error) = if let headers {
                try await Self.post(fake, body, path: path, headers: headers)
            } else {
                try await Self.post(fake, body, path: path)
            }
            #expect(answer.status == status, "\(name)")
            #expect(error["type"] as? String == "error", "\(name)")
            let detail = error["error"] as? [String: Any]
            #expect(detail?["type"] as? String == type, "\(name)")
            #expect((detail?["message"] as? String)?.isEmpty == false, "\(name)")
            #expect(answer.headers["request-id"]?.hasPrefix("req_") == true, "\(name)")
        }
        // Rejected requests are recorded but never reach the script.
        #expect(fake.exchanges.count == cases.count)
        #expect(fake.exchanges.allSatisfy { $0.call == nil && $0.usage == nil })
        let bearer = try await Self.post(fake, Self.request(), headers: [
            "Authorization": "Bearer \(Self.key)", "anthropic-version": "2023-06-01", "content-type": "application/json"])
        #expect(bearer.0.status == 200)
    }

    @Test func answersInTheRealResponseShapeWithRateLimitHeaders() async throws {
        let fake = try Self.start { call in
            #expect(call.userText == "REVIEW THIS")
            #expect(call.systemText == "PROTOCOL")
            return .tool(json: #"{"findings":[{"file":"a.c"}]}"#)
        }
        defer { fake.stop() }
        let (response, json) = try await Self.post(fake, Self.request())
        #expect(response.status == 200)
        #expect((json["id"] as? String)?.hasPrefix("msg_") == true)
        #expect(json["type"] as? String == "message")
        #expect(json["role"] as? String == "assistant")
        #expect(json["model"] as? String == "claude-sonnet-4-5")
        #expect(json["stop_reason"] as? String == "tool_use")
        let block = try #require((json["content"] as? [[String: Any]])?.first)
        #expect(block["type"] as? String == "tool_use")
        #expect(block["name"] as? String == "report_findings")
        #expect(((block["input"] as? [String: Any])?["findings"] as? [[String: Any]])?.first?["file"] as? String == "a.c")
        let usage = try #require(json["usage"] as? [String: Any])
        for field in ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"] {
            #expect(usage[field] is Int, "\(field)")
        }
        // The engine's wire types read it.
        let decoded = try JSONDecoder().decode(MessagesAPI.Response.self, from: response.body)
        #expect(decoded.toolInput(named: "report_findings") != nil)

        for limit in ["requests", "tokens", "input-tokens", "output-tokens"] {
            #expect(Int(response.headers["anthropic-ratelimit-\(limit)-limit"] ?? "") != nil, "\(limit)")
            #expect(Int(response.headers["anthropic-ratelimit-\(limit)-remaining"] ?? "") != nil, "\(limit)")
            #expect(RateLimitPacer.parseRFC3339(response.headers["anthropic-ratelimit-\(limit)-reset"] ?? "") != nil)
        }
        #expect(response.headers["anthropic-ratelimit-requests-remaining"] == "3999")
    }

    @Test func enforcesTheRequestLimitWithRetryAfter() async throws {
        let time = ManualTime()
        var limits = FakeMessagesAPI.RateLimits()
        limits.requestsPerMinute = 2
        let fake = try Self.start(time: time, limits: limits)
        defer { fake.stop() }
        for _ in 0..<2 { #expect(try await Self.post(fake, Self.request()).0.status == 200) }
        time.advance(20)
        let (refused, error) = try await Self.post(fake, Self.request())
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "40")
        #expect((error["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
        time.advance(40)
        #expect(try await Self.post(fake, Self.request()).0.status == 200)
    }

    @Test func cachesPrefixesByBytesModelAndLifetime() async throws {
        let time = ManualTime()
        let fake = try Self.start(time: time)
        defer { fake.stop() }
        let big = String(repeating: "a kernel review rule; ", count: 300)  // 6600 bytes: 1650 tokens
        func usage(_ system: [[String: Any]], user: String = "task one", model: String = "claude-sonnet-4-5") async throws
            -> FakeMessagesAPI.Usage {
            var body = Self.request(system: system, user: user)
            body["model"] = model
            #expect(try await Self.post(fake, body).0.status == 200)
            return try #require(fake.exchanges.last?.usage)
        }
        let first = try await usage([Self.cached(big)])
        #expect(first.cacheCreationInputTokens >= 1_650)
        #expect(first.cacheReadInputTokens == 0)
        let second = try await usage([Self.cached(big)], user: "task two, a different diff")
        #expect(second.cacheReadInputTokens == first.cacheCreationInputTokens)
        #expect(second.cacheCreationInputTokens == 0)
        #expect(second.inputTokens == 8)  // "task two, a different diff" and the "text" key: 30 bytes / 4
        #expect(second.totalInputTokens > first.totalInputTokens)

        // A later breakpoint extends a cached earlier one: read the first, write the rest.
        let extra = String(repeating: "series context; ", count: 100)
        let layered = try await usage([Self.cached(big), Self.cached(extra)], user: "layered")
        #expect(layered.cacheReadInputTokens == first.cacheCreationInputTokens)
        #expect(layered.cacheCreationInputTokens == 400 + 1)  // 1600 bytes of text + "text" key

        // One byte different, or another model: a new prefix.
        #expect(try await usage([Self.cached(big + ".")]).cacheReadInputTokens == 0)
        #expect(try await usage([Self.cached(big)], model: "claude-opus-4-5").cacheReadInputTokens == 0)

        // Five minutes after the last read the entry is gone; an hour-long one survives.
        time.advance(301)
        #expect(try await usage([Self.cached(big)]).cacheReadInputTokens == 0)
        _ = try await usage([Self.cached(big, ttl: "1h")], user: "long")
        time.advance(1_800)
        #expect(try await usage([Self.cached(big, ttl: "1h")], user: "long").cacheReadInputTokens > 0)

        // Below the minimum nothing is cached and nothing fails.
        let small = [Self.cached("short protocol")]
        _ = try await usage(small)
        let again = try await usage(small)
        #expect(again.cacheReadInputTokens == 0 && again.cacheCreationInputTokens == 0)
    }

    @Test func parallelRequestsRacingForAPrefixAllWriteIt() async throws {
        var options = FakeMessagesAPI.Options()
        options.apiKey = Self.key
        options.latency = 0.3
        let fake = try FakeMessagesAPI(options: options)
        defer { fake.stop() }
        let big = String(repeating: "a kernel review rule; ", count: 300)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask { _ = try? await Self.post(fake, Self.request(system: [Self.cached(big)], user: "task \(index)")) }
            }
        }
        #expect(fake.exchanges.compactMap(\.usage).allSatisfy { $0.cacheCreationInputTokens > 0 && $0.cacheReadInputTokens == 0 })
        _ = try await Self.post(fake, Self.request(system: [Self.cached(big)], user: "task 4"))
        #expect(fake.exchanges.last?.usage?.cacheReadInputTokens ?? 0 > 0)
    }

    static var grepTool: [String: Any] { ["name": "grep", "description": "d", "input_schema": ["type": "object"] as [String: Any]] }

    /// A second turn as the engine sends it: the model's tool_use, then the tool_result.
    static func turn(results: [[String: Any]], uses: [String] = ["toolu_1"], choice: [String: Any] = ["type": "any"],
                     userBlocks: [[String: Any]]? = nil) -> [String: Any] {
        ["model": "claude-sonnet-4-5", "max_tokens": 1_000, "system": [["type": "text", "text": "PROTOCOL"]],
         "messages": [["role": "user", "content": userBlocks ?? [["type": "text", "text": "REVIEW THIS"]]],
                      ["role": "assistant", "content": uses.map {
                          ["type": "tool_use", "id": $0, "name": "grep", "input": ["pattern": "x"]] as [String: Any]
                      }],
                      ["role": "user", "content": results]],
         "tools": [grepTool, tool], "tool_choice": choice]
    }

    @Test func multiTurnToolProtocolIsCheckedAsTheRealAPIChecksIt() async throws {
        let fake = try Self.start { call in
            call.turn == 1 ? .toolCalls([.init(name: "grep", json: #"{"pattern":"x"}"#)]) : .tool(json: #"{"findings":[]}"#)
        }
        defer { fake.stop() }
        let result: [String: Any] = ["type": "tool_result", "tool_use_id": "toolu_1", "content": "a.c:1:x"]

        // tool_choice any: the script's tool calls come back as tool_use blocks.
        var first = Self.request()
        first["tool_choice"] = ["type": "any"]
        first["tools"] = [Self.grepTool, Self.tool]
        let (opened, body) = try await Self.post(fake, first)
        #expect(opened.status == 200)
        #expect(body["stop_reason"] as? String == "tool_use")
        let use = try #require((body["content"] as? [[String: Any]])?.first)
        #expect(use["type"] as? String == "tool_use" && use["name"] as? String == "grep")

        let (ok, answer) = try await Self.post(fake, Self.turn(results: [result]))
        #expect(ok.status == 200)
        #expect((answer["content"] as? [[String: Any]])?.first?["name"] as? String == "report_findings")
        #expect(fake.exchanges.last?.call?.toolResults == [.init(toolUseID: "toolu_1", content: "a.c:1:x", isError: false)])
        #expect(fake.exchanges.last?.call?.turn == 2)

        func rejected(_ body: [String: Any]) async throws -> String {
            let (response, json) = try await Self.post(fake, body)
            #expect(response.status == 400)
            return ((json["error"] as? [String: Any])?["message"] as? String) ?? ""
        }
        var stray = result
        stray["tool_use_id"] = "toolu_9"
        #expect(try await rejected(Self.turn(results: [stray])).contains("unexpected `tool_use_id` found in `tool_result` blocks: toolu_9"))
        #expect(try await rejected(Self.turn(results: [["type": "text", "text": "go on"]]))
            .contains("`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"))
        #expect(try await rejected(Self.turn(results: [["type": "text", "text": "first"], result]))
            .contains("`tool_result` blocks must come first"))
        #expect(try await rejected(Self.turn(results: [result], userBlocks: [result])).contains("unexpected `tool_use_id`"))
        var noTools = Self.turn(results: [result])
        noTools["tools"] = nil
        noTools["tool_choice"] = nil
        #expect(try await rejected(noTools).contains("must define tools"))
        var badFlag = result
        badFlag["is_error"] = "yes"
        #expect(try await rejected(Self.turn(results: [badFlag])).contains("is_error"))
    }

    /// The engine moves its last breakpoint to the newest turn: the next request must read
    /// what the previous one wrote, as the API's look-back over earlier block boundaries does.
    @Test func movedBreakpointReadsThePreviousTurnFromCache() async throws {
        let fake = try Self.start()
        defer { fake.stop() }
        let big = String(repeating: "check the error path of every allocation; ", count: 120)
        let task: [String: Any] = ["type": "text", "text": big]
        var first = Self.request()
        first["messages"] = [["role": "user", "content": [Self.cached(big)]]]
        first["tools"] = [Self.grepTool, Self.tool]
        first["tool_choice"] = ["type": "any"]
        _ = try await Self.post(fake, first)
        let written = try #require(fake.exchanges.last?.usage).cacheCreationInputTokens
        #expect(written > 1_024)
        var result: [String: Any] = ["type": "tool_result", "tool_use_id": "toolu_1", "content": "a.c:1:x"]
        result["cache_control"] = ["type": "ephemeral"]
        _ = try await Self.post(fake, Self.turn(results: [result], userBlocks: [task]))
        let second = try #require(fake.exchanges.last?.usage)
        #expect(second.cacheReadInputTokens == written)
        // Forcing a tool changes tool_choice: the system part stays cached, the messages do not.
        _ = try await Self.post(fake, Self.turn(results: [result], choice: ["type": "tool", "name": "report_findings"],
                                                userBlocks: [task]))
        #expect(try #require(fake.exchanges.last?.usage).cacheReadInputTokens == 0)
    }
}
