import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import Testing
@testable import ReviewEngine

/// Answers from the Messages API (or a proxy in front of it) that the run must survive:
/// absurd waits, bodies too large or without end, the key echoed back.
@Suite struct HostileAnswerTests {
    typealias F = RunnerFixture
    static let key = LoopbackReview.apiKey

    // MARK: waits

    @Test(arguments: ["1e16", "1e300", "1e400", "inf"])
    func aHugeRetryAfterEndsTheRequestInsteadOfTrapping(_ header: String) {
        let failure = AttemptFailure(answer: FakeAPI.error(429, "rate_limit_error", "slow down", headers: ["retry-after": header]))
        guard case .http(_, _, _, let retryAfter?, _) = failure else { Issue.record("retry-after lost"); return }
        #expect(retryAfter > .seconds(600))
        guard case .giveUp(let reason) = RetryPolicy().decide(failure, attempt: 1, jitter: 0) else {
            Issue.record("a retry-after of \(header) seconds was waited for"); return
        }
        #expect(reason.contains("retry-after"))
    }

    @Test func aRetryAfterThatIsNotANumberIsIgnored() {
        for header in ["nan", "-5", "soon"] {
            let failure = AttemptFailure(answer: FakeAPI.error(429, "rate_limit_error", "slow", headers: ["retry-after": header]))
            guard case .http(_, _, _, let retryAfter, _) = failure else { Issue.record("not http"); return }
            #expect(retryAfter == nil, "\(header)")
        }
    }

    @Test func aRateLimitResetInTheYear2100IsWaitedForAtMostAMinute() {
        var pacer = RateLimitPacer()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        pacer.observe(headers: ["anthropic-ratelimit-requests-remaining": "0",
                                "anthropic-ratelimit-requests-reset": "2100-01-01T00:00:00Z"])
        #expect(pacer.reserve(now: now, inputTokens: 10) == .seconds(60))
    }

    @Test func longWaitsAreAnnouncedWithTheirEnd() async throws {
        let transport = ScriptedTransport { call in
            let number = F.fileNumber(call)
            if number == 0 && call.attempt == 1 {
                return .answer(FakeAPI.error(429, "rate_limit_error", "per-minute limit \u{1B}[2J", headers: ["retry-after": "30"]))
            }
            // The answer to file 0 says the window is spent until 2100: file 1 is paced.
            return .answer(F.findings(for: number, headers: number == 0 ? [
                "anthropic-ratelimit-requests-remaining": "0",
                "anthropic-ratelimit-requests-reset": "2100-01-01T00:00:00Z",
            ] : [:]))
        }
        let clock = TestClock()
        let waits = Locked<[ReviewWait]>([])
        let reviewSeries = series([F.patch(files: 2)])
        var runner = ReviewRunner(transport: transport, store: nil, configuration: F.configuration(concurrency: 1),
                                  clock: clock, jitter: { 0.5 })
        runner.notice = { wait in waits.withLock { $0.append(wait) } }
        let report = try await runner.run(plan: ReviewPlan.make(series: reviewSeries, options: F.options),
                                          series: reviewSeries, prompts: [testPrompts])
        #expect(report.unreviewedTasks.isEmpty)
        let seen = waits.withLock { $0 }
        #expect(seen.map(\.duration) == [.seconds(30), .seconds(60)])
        try #require(seen.count == 2)
        #expect(seen[0].until == Date(timeIntervalSince1970: 1_800_000_000 + 30))
        #expect(seen[0].description.contains("429"))
        #expect(!seen[0].description.contains("\u{1B}"), "a server's escape sequence reached the terminal")
        #expect(seen[1].description.contains("rate limit"))
        #expect(clock.sleeps.filter { $0 >= .seconds(5) } == [.seconds(30), .seconds(60)])
    }

    // MARK: bodies

    func runAgainst(_ server: HostileHTTPServer, store: StateStore? = nil,
                    configuration: ReviewConfiguration = F.configuration(concurrency: 1)) async throws -> ReviewReport {
        let transport = CurlMessagesTransport(client: CurlClient(), baseURL: server.baseURL, apiKey: Self.key)
        let reviewSeries = series([F.patch(files: 1)])
        let runner = ReviewRunner(transport: transport, store: store, configuration: configuration, clock: TestClock(),
                                  jitter: { 0.5 })
        return try await runner.run(plan: ReviewPlan.make(series: reviewSeries, options: F.options),
                                    series: reviewSeries, prompts: [testPrompts])
    }

    func firstFailure(_ report: ReviewReport) -> TaskFailure? {
        guard case .failed(let failure) = report.outcomes.first?.status else { return nil }
        return failure
    }

    @Test(.timeLimit(.minutes(5)))
    func aHugeOrEndlessAnswerIsRefusedAtTheLimitWhileItArrives() async throws {
        for answer in [HostileHTTPServer.Answer.huge(bytes: 200 << 20), .endless()] {
            let server = try HostileHTTPServer(always: answer)
            defer { server.stop() }
            let report = try await runAgainst(server)
            let failure = try #require(firstFailure(report), "\(answer)")
            #expect(failure.reason.contains("larger than \(CurlMessagesTransport.maxAnswerBytes) bytes"), "\(failure.reason)")
            // Refused, not retried: the same request gets the same answer.
            #expect(server.requests.count == 1)
            #expect((failure.rawAnswer ?? "").utf8.count < 1_000)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aDribbledAnswerEndsAtTheRequestTimeout() async throws {
        let server = try HostileHTTPServer(always: .dribble(body: Data(repeating: UInt8(ascii: " "), count: 1_000), interval: 0.2))
        defer { server.stop() }
        var configuration = F.configuration(concurrency: 1)
        configuration.requestTimeout = .seconds(1)
        configuration.retry.maxAttempts = 1
        let report = try await runAgainst(server, configuration: configuration)
        let failure = try #require(firstFailure(report))
        // Only the 1 s timeout can say this: the whole body would take 200 s to arrive.
        #expect(failure.reason.contains("timed out"), "\(failure.reason)")
    }

    @Test func aLyingContentLengthIsALostConnectionNotAnAnswer() async throws {
        let server = try HostileHTTPServer(always: .lyingLength(claimed: 5_000, body: Data(#"{"type":"message"}"#.utf8)))
        defer { server.stop() }
        var configuration = F.configuration(concurrency: 1)
        configuration.retry.maxAttempts = 2
        let report = try await runAgainst(server, configuration: configuration)
        let failure = try #require(firstFailure(report))
        #expect(failure.reason.contains("lost"), "\(failure.reason)")
    }

    // MARK: the key echoed back

    @Test func theKeyEchoedInANonJSON200IsRedactedFromEverythingKept() async throws {
        let server = try HostileHTTPServer(always: .echoHeaders(status: 200))
        defer { server.stop() }
        let report = try await runAgainst(server)
        let failure = try #require(firstFailure(report))
        let raw = try #require(failure.rawAnswer)
        #expect(raw.contains("x-api-key: \(SecretRedactor.placeholder)"), "\(raw)")
        #expect(!report.allText.contains(Self.key))
    }

    @Test func theKeyInsideAValidAnswerNeverReachesTheCacheOrAFinding() async throws {
        let directory = try temporaryDirectory()
        let store = try StateStore(url: directory.appendingPathComponent("state.sqlite"))
        let leaky = FakeAPI.findings([FakeAPI.finding(file: "drivers/f0.c", anchor: "\tret = do_0(dev);",
                                                      comment: "The key is \(Self.key), and do_0() can fail.")])
        let server = try HTTPServer { _ in
            HTTPServerResponse(status: 200, headers: ["Content-Type": "application/json", "request-id": Self.key],
                               body: leaky.body)
        }
        defer { server.stop() }
        let transport = CurlMessagesTransport(client: CurlClient(), baseURL: server.baseURL, apiKey: Self.key)
        let reviewSeries = series([F.patch(files: 1)])
        let runner = ReviewRunner(transport: transport, store: store, configuration: F.configuration(concurrency: 1),
                                  clock: TestClock(), jitter: { 0.5 })
        let report = try await runner.run(plan: ReviewPlan.make(series: reviewSeries, options: F.options),
                                          series: reviewSeries, prompts: [testPrompts])
        #expect(report.patches[0].findings.count == 1)
        #expect(report.patches[0].findings.first?.finding.comment.contains(SecretRedactor.placeholder) == true)
        #expect(!report.allText.contains(Self.key))
        // Every file SQLite keeps (WAL included): no trace of the key.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            #expect(bytes.range(of: Data(Self.key.utf8)) == nil, "the key is stored in \(name)")
        }
    }
}
