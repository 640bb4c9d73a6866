import Foundation
@testable import ReviewEngine

/// One request as the fake API saw it.
struct SentRequest: Sendable {
    var request: MessagesAPI.Request
    var tool: String
    var userText: String
    /// 1 for the first request with this user text, 2 for the next, ... (a task's retries).
    var attempt: Int
}

/// What the fake API does with one request.
enum ScriptStep: Sendable {
    case answer(HTTPAnswer)
    case slow(Duration, HTTPAnswer)
    case fail(TransportError)
}

/// An in-process Messages API fake: decodes each request body as the real API would and
/// answers with whatever the script says, counting calls and concurrency.
actor ScriptedTransport: MessagesTransport {
    typealias Script = @Sendable (SentRequest) -> ScriptStep

    private let script: Script
    private(set) var sent: [SentRequest] = []
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0

    init(_ script: @escaping Script) { self.script = script }

    func send(body: Data, timeout: Duration) async throws -> HTTPAnswer {
        let request = try JSONDecoder().decode(MessagesAPI.Request.self, from: body)
        // The task block: the first user message after its series context.
        let userText = request.messages.first?.content.dropFirst().compactMap(\.text).joined(separator: "\n\n") ?? ""
        let call = SentRequest(request: request, tool: request.toolChoice.name ?? request.toolChoice.type, userText: userText,
                               attempt: sent.filter { $0.userText == userText }.count + 1)
        sent.append(call)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        defer { inFlight -= 1 }
        switch script(call) {
        case .answer(let answer):
            await Task.yield()
            return answer
        case .slow(let delay, let answer):
            try await Task.sleep(for: delay)
            return answer
        case .fail(let error):
            throw error
        }
    }

    func calls(where match: (SentRequest) -> Bool = { _ in true }) -> [SentRequest] { sent.filter(match) }
}

/// A clock whose sleeps return at once and advance virtual time, recording each wait.
final class TestClock: ReviewClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    private var recorded: [Duration] = []

    func now() -> Date { lock.withLock { current } }

    func sleep(for duration: Duration) async throws {
        lock.withLock {
            recorded.append(duration)
            current += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }

    var sleeps: [Duration] { lock.withLock { recorded } }
}

/// Answers in the real API's JSON.
enum FakeAPI {
    static let model = "claude-sonnet-4-5"

    static func message(content: [MessagesAPI.ContentBlock], stopReason: String,
                        usage: MessagesAPI.Usage = MessagesAPI.Usage(inputTokens: 1_000, outputTokens: 100),
                        headers: [String: String] = [:]) -> HTTPAnswer {
        let response = MessagesAPI.Response(id: "msg_\(UUID().uuidString.prefix(8))", content: content, model: model,
                                            stopReason: stopReason, usage: usage)
        return HTTPAnswer(status: 200, headers: ["content-type": "application/json"].merging(headers) { $1 },
                          body: try! CanonicalJSON.encode(response))
    }

    static func findings(_ findings: [JSONValue], usage: MessagesAPI.Usage = MessagesAPI.Usage(inputTokens: 1_000, outputTokens: 100),
                         headers: [String: String] = [:]) -> HTTPAnswer {
        message(content: [.toolUse(id: "toolu_1", name: "report_findings", input: ["findings": .array(findings)])],
                stopReason: "tool_use", usage: usage, headers: headers)
    }

    static func finding(file: String, anchor: String, category: String = "error-handling",
                        severity: String = "medium", comment: String) -> JSONValue {
        ["file": .string(file), "anchor": .string(anchor), "category": .string(category),
         "severity": .string(severity), "comment": .string(comment)]
    }

    static func verdict(_ verdict: String, reason: String = "checked the error path") -> HTTPAnswer {
        message(content: [.toolUse(id: "toolu_2", name: "verify_finding",
                                   input: ["verdict": .string(verdict), "reason": .string(reason)])],
                stopReason: "tool_use")
    }

    static func cut() -> HTTPAnswer {
        message(content: [.text("Looking at the error path, the first problem is that")], stopReason: "max_tokens",
                usage: MessagesAPI.Usage(inputTokens: 1_000, outputTokens: 4_096))
    }

    static func error(_ status: Int, _ type: String, _ message: String, headers: [String: String] = [:]) -> HTTPAnswer {
        let body = MessagesAPI.ErrorBody(error: .init(type: type, message: message))
        return HTTPAnswer(status: status, headers: ["request-id": "req_test"].merging(headers) { $1 },
                          body: try! CanonicalJSON.encode(body))
    }
}
