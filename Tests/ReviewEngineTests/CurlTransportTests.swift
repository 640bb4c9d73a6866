import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import Testing
@testable import ReviewEngine

/// The runner over `CurlMessagesTransport` against `FakeMessagesAPI` on loopback.
@Suite struct CurlTransportTests {
    typealias F = RunnerFixture
    static let key = LoopbackReview.apiKey

    @Test func sendsTheEndpointHeadersAndBodyTheAPIExpects() async throws {
        for style in APIAuthStyle.allCases {
            let review = try LoopbackReview()
            defer { review.fake.stop() }
            let body = Data(#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
            let answer = try await review.transport(authStyle: style).send(body: body, timeout: .seconds(5))
            #expect(answer.status == 200)
            #expect(answer.headers["request-id"]?.hasPrefix("req_") == true)
            let exchange = try #require(review.fake.exchanges.first)
            #expect(exchange.body == body)
            #expect(exchange.headers["anthropic-version"] == "2023-06-01")
            #expect(exchange.headers["content-type"] == "application/json")
            switch style {
            case .xAPIKey:
                #expect(exchange.headers["x-api-key"] == Self.key)
                #expect(exchange.headers["Authorization"] == nil)
            case .bearer:
                #expect(exchange.headers["Authorization"] == "Bearer " + Self.key)
                #expect(exchange.headers["x-api-key"] == nil)
            }
        }
    }

    @Test func aProxyEchoingTheKeyInAnErrorPageDoesNotLeakIt() async throws {
        let proxy = try HTTPServer { request in
            .text("<html>bad credentials: \(request.headers["x-api-key"] ?? "none")</html>", status: 403)
        }
        defer { proxy.stop() }
        let transport = CurlMessagesTransport(client: CurlClient(), baseURL: proxy.baseURL, apiKey: Self.key)
        let answer = try await transport.send(body: Data("{}".utf8), timeout: .seconds(5))
        #expect(answer.status == 403)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text == "<html>bad credentials: \(SecretRedactor.placeholder)</html>")
    }

    @Test func environmentBaseURLOverridesTheConfiguredOne() {
        let resolve = CurlMessagesTransport.resolveBaseURL
        #expect(resolve("https://gw.example", ["ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"]) == "http://127.0.0.1:4000")
        #expect(resolve("https://gw.example", ["ANTHROPIC_BASE_URL": " "]) == "https://gw.example")
        #expect(resolve(nil, [:]) == "https://api.anthropic.com")
    }

    @Test func baseURLWithTrailingSlashStillPostsToV1Messages() async throws {
        let review = try LoopbackReview()
        defer { review.fake.stop() }
        let transport = CurlMessagesTransport(client: review.client, baseURL: review.fake.baseURL + "//", apiKey: Self.key)
        #expect(transport.endpoint == review.fake.baseURL + "/v1/messages")
        let answer = try await transport.send(body: Data("{}".utf8), timeout: .seconds(5))
        #expect(answer.status == 400)  // reached the API path: the body is what is wrong
    }

    @Test func missingAnswersBecomeTransportErrorsWithoutTheKey() async throws {
        let client = CurlClient()
        let silent = try SilentServer()
        defer { silent.stop() }
        let slow = CurlMessagesTransport(client: client, baseURL: "http://127.0.0.1:\(silent.port)", apiKey: Self.key)
        let timeout = await #expect(throws: TransportError.self) {
            _ = try await slow.send(body: Data("{}".utf8), timeout: .milliseconds(300))
        }
        #expect(timeout?.kind == .timeout)
        #expect(timeout?.message.contains("timed out") == true)

        let closed = try SilentServer()
        let port = closed.port
        closed.stop()
        let refused = CurlMessagesTransport(client: client, baseURL: "http://127.0.0.1:\(port)", apiKey: Self.key)
        let refusal = await #expect(throws: TransportError.self) {
            _ = try await refused.send(body: Data("{}".utf8), timeout: .seconds(5))
        }
        #expect(refusal?.kind == .connectionReset)

        let dropping = try LoopbackReview { _ in .dropConnection }
        defer { dropping.fake.stop() }
        let body = Data(#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let drop = await #expect(throws: TransportError.self) {
            _ = try await dropping.transport().send(body: body, timeout: .seconds(5))
        }
        #expect(drop?.kind == .connectionReset)

        let badHost = CurlMessagesTransport(client: client, baseURL: "http://no-such-host.invalid", apiKey: Self.key)
        let dns = await #expect(throws: TransportError.self) {
            _ = try await badHost.send(body: Data("{}".utf8), timeout: .seconds(5))
        }
        #expect(dns?.kind == .other)

        for error in [timeout, refusal, drop, dns].compactMap({ $0 }) {
            #expect(!error.message.contains(Self.key))
            #expect(!error.message.contains("\n"))
        }
        for printed in ["\(slow)", String(reflecting: slow), { var out = ""; dump(slow, to: &out); return out }()] {
            #expect(!printed.contains(Self.key), "\(printed)")
        }
    }

    @Test func faultsEndEveryTaskReviewedOrFailedWithoutLosingFindings() async throws {
        let review = try LoopbackReview { call in
            if call.tool == "verify_finding" { return ToolReply.verdict("confirmed") }
            let number = F.fileNumber(inText: call.userText)
            switch (number, call.attempt) {
            case (0, 1): return .rateLimited(retryAfter: 7)
            case (1, 1): return .overloaded
            case (2, 1), (2, 2): return .serverError
            case (3, 1): return .dropConnection
            case (4, 1): return .cut(partialInput: Data(#"{"findings":[{"file":"drivers/f4.c","anchor":"\tret = do_4(de"#.utf8))
            case (5, _): return ToolReply.findings([FakeAPI.finding(file: "drivers/f5.c", anchor: "\tret = do_5(dev);",
                                                                    category: "memory-corruption", comment: "x")])
            case (6, _): return .spendLimitReached
            case (7, _): return .cut(partialInput: nil)
            default: return ToolReply.finding(forFile: number)
            }
        }
        defer { review.fake.stop() }
        let clock = TestClock()
        let report = try await review.run(configuration: F.configuration(verify: true), clock: clock)

        let statuses = report.outcomes.map(\.status)
        #expect(statuses.count == 8)
        #expect(statuses.prefix(5).allSatisfy { $0 == .reviewed(fromCache: false) })
        #expect(report.unreviewedTasks.isEmpty)
        let failed = Dictionary(uniqueKeysWithValues: report.failedTasks.map { outcome -> (String, TaskFailure) in
            guard case .failed(let failure) = outcome.status else { fatalError() }
            return (outcome.taskID, failure)
        })
        #expect(Set(failed.keys) == ["P1-T6", "P1-T7", "P1-T8"])
        // Malformed twice: the raw answer is kept.
        #expect(failed["P1-T6"]?.reason.contains("memory-corruption") == true)
        #expect(failed["P1-T6"]?.rawAnswer?.contains("\"category\":\"memory-corruption\"") == true)
        // Spend limit: reported with the API's message, not retried.
        #expect(failed["P1-T7"]?.reason.hasPrefix("HTTP 429 rate_limit_error: You have reached your specified API usage limits") == true)
        // Cut twice: never parsed, the raw text kept.
        #expect(failed["P1-T8"]?.reason == "the answer was cut at max_tokens 8192")
        #expect(failed["P1-T8"]?.rawAnswer?.contains("\"stop_reason\":\"max_tokens\"") == true)

        // Each reviewed task's finding is there exactly once, verified.
        let findings = report.patches[0].findings
        #expect(findings.map(\.file).sorted() == (0...4).map { "drivers/f\($0).c" })
        #expect(findings.allSatisfy { $0.verification == .confirmed(reason: "checked the error path") })
        #expect(report.patches[0].dropped.isEmpty)

        #expect(review.calls(forFile: 0).count == 2)
        #expect(review.calls(forFile: 1).count == 2)
        #expect(review.calls(forFile: 2).count == 3)
        #expect(review.calls(forFile: 3).count == 2)
        #expect(review.calls(forFile: 4).map(\.maxTokens) == [4_096, 8_192])
        #expect(review.calls(forFile: 5).count == 2)
        #expect(review.calls(forFile: 6).count == 1)
        #expect(review.calls(forFile: 7).map(\.maxTokens) == [4_096, 8_192])
        #expect(clock.sleeps.contains(.seconds(7)))
        #expect(report.apiCalls == review.fake.exchanges.count)
        #expect(review.calls.filter { $0.tool == "verify_finding" }.count == 5)
        #expect(!report.allText.contains(Self.key))
    }

    @Test func slowAnswersTimeOutAreRetriedThenReported() async throws {
        let review = try LoopbackReview { call in .slow(seconds: 1.5, ToolReply.finding(forFile: 0)) }
        defer { review.fake.stop() }
        var configuration = F.configuration()
        configuration.requestTimeout = .milliseconds(300)
        configuration.retry.maxAttempts = 2
        let clock = TestClock()
        let report = try await review.run(files: 1, configuration: configuration, clock: clock)
        guard case .failed(let failure) = report.outcomes.first?.status else {
            Issue.record("a task whose answers all time out was not reported as failed"); return
        }
        #expect(failure.reason.hasPrefix("no answer: messages api: timed out after 0.3s"))
        #expect(failure.reason.hasSuffix("(gave up after 2 attempts)"))
        #expect(review.calls.count == 2)
        #expect(clock.sleeps.count == 1)  // one back-off between the two attempts
        #expect(report.patches[0].findings.isEmpty)
        #expect(!report.allText.contains(Self.key))
    }

    @Test func clientErrorsAreNotRetriedAndCarryTheAPIMessage() async throws {
        // 401: a wrong key. The message is the API's; neither key appears anywhere.
        let review = try LoopbackReview()
        defer { review.fake.stop() }
        let wrongKey = "test-key-wrong-SECRET-1717"
        let clock = TestClock()
        let unauthorized = try await review.run(files: 2, configuration: F.configuration(), key: wrongKey, clock: clock)
        // The first 401 stops the run: the second task was sent only if it left before that
        // answer came back (both start at once; which comes first is the scheduler's choice).
        let sent = review.fake.exchanges.count
        #expect((1...2).contains(sent))
        #expect(unauthorized.failedTasks.count == sent)
        #expect(unauthorized.outcomes.count == 2)
        for outcome in unauthorized.failedTasks {
            guard case .failed(let failure) = outcome.status else { continue }
            #expect(failure.reason.hasPrefix("HTTP 401 authentication_error: invalid x-api-key (request-id req_fake_"))
        }
        #expect(review.fake.exchanges.allSatisfy { $0.status == 401 })
        #expect(!unauthorized.allText.contains(wrongKey))
        #expect(!unauthorized.allText.contains(Self.key))

        // 400: max_tokens above what the model allows.
        var tooLong = F.configuration()
        tooLong.request.maxTokens = 100_000
        let invalid = try await review.run(files: 2, configuration: tooLong, clock: clock)
        #expect(invalid.failedTasks.count == 2)
        for outcome in invalid.failedTasks {
            guard case .failed(let failure) = outcome.status else { continue }
            #expect(failure.reason.hasPrefix("HTTP 400 invalid_request_error: max_tokens: 100000 > 64000"))
        }
        #expect(review.fake.exchanges.count == sent + 2)
        #expect(clock.sleeps.isEmpty)
        #expect(!invalid.allText.contains(Self.key))
    }

    @Test func reRunWithTheSameStoreMakesNoRequests() async throws {
        let review = try LoopbackReview { call in
            call.tool == "verify_finding" ? ToolReply.verdict("uncertain")
                : ToolReply.finding(forFile: F.fileNumber(inText: call.userText))
        }
        defer { review.fake.stop() }
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        let first = try await review.run(files: 5, configuration: F.configuration(verify: true), store: store)
        let requests = review.fake.exchanges.count
        #expect(requests == 10)
        #expect(first.outcomes.allSatisfy { $0.status == .reviewed(fromCache: false) })

        let second = try await review.run(files: 5, configuration: F.configuration(verify: true), store: store)
        #expect(review.fake.exchanges.count == requests)
        #expect(second.apiCalls == 0)
        #expect(second.outcomes.allSatisfy { $0.status == .reviewed(fromCache: true) })
        #expect(second.patches[0].findings == first.patches[0].findings)
    }

    @Test func tasksOfOnePatchReadTheSharedPrefixFromTheCache() async throws {
        let review = try LoopbackReview()
        defer { review.fake.stop() }
        let report = try await review.run(files: 6, configuration: F.configuration(concurrency: 1),
                                          prompts: LoopbackReview.bigPrompts)
        #expect(report.outcomes.allSatisfy { $0.status == .reviewed(fromCache: false) })

        let usages = review.fake.exchanges.compactMap(\.usage)
        #expect(usages.count == 6)
        #expect(usages[0].cacheCreationInputTokens > 1_024)
        #expect(usages[0].cacheReadInputTokens == 0)
        for usage in usages.dropFirst() {
            #expect(usage.cacheReadInputTokens == usages[0].cacheCreationInputTokens)
            #expect(usage.cacheCreationInputTokens == 0)
            #expect(usage.inputTokens > 0 && usage.inputTokens < 200)  // only the task's diff
        }
        // The runner bills what the API reported.
        #expect(report.usage.cacheRead == usages.reduce(0) { $0 + $1.cacheReadInputTokens })

        // The tiny default prompts stay below the minimum: nothing is cached, no error.
        let small = try LoopbackReview()
        defer { small.fake.stop() }
        _ = try await small.run(files: 3, configuration: F.configuration(concurrency: 1))
        #expect(small.fake.exchanges.compactMap(\.usage).allSatisfy {
            $0.cacheReadInputTokens == 0 && $0.cacheCreationInputTokens == 0 && $0.inputTokens > 0
        })
    }

    @Test func warmupLetsParallelTasksReadThePrefixTheFirstOneWrote() async throws {
        func writesAndReads(warmup: Duration) async throws -> (writes: Int, reads: Int) {
            // Wide margins, so a loaded machine spreading the first wave apart cannot blur it.
            var options = LoopbackReview.fakeOptions(latency: 0.5)
            options.timeToFirstToken = 0.25
            let review = try LoopbackReview(options: options)
            defer { review.fake.stop() }
            var configuration = F.configuration(concurrency: 4)
            configuration.cacheWarmup = warmup
            let report = try await review.run(files: 6, configuration: configuration, clock: SystemClock(),
                                              prompts: LoopbackReview.bigPrompts)
            #expect(report.outcomes.allSatisfy { $0.status == .reviewed(fromCache: false) })
            let usages = review.fake.exchanges.compactMap(\.usage)
            #expect(usages.count == 6)
            return (usages.filter { $0.cacheCreationInputTokens > 0 }.count, usages.filter { $0.cacheReadInputTokens > 0 }.count)
        }
        // Without a warm-up the first four race and all write the prefix.
        let racing = try await writesAndReads(warmup: .zero)
        #expect(racing.writes == 4 && racing.reads == 2)
        // Holding the others back until the first response has begun: one write, five reads.
        let warmed = try await writesAndReads(warmup: .milliseconds(400))
        #expect(warmed.writes == 1 && warmed.reads == 5)
    }
}
