import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

/// Runs that cannot succeed stop at once and say why; runs that could not check their
/// findings say so; `--fresh` asks again; the progress line sees the verification pass.
@Suite struct RunStopTests {
    typealias F = RunnerFixture

    @Test(arguments: [401, 403])
    func theFirstRefusedKeyStopsTheRun(status: Int) async throws {
        let transport = ScriptedTransport { _ in
            .answer(FakeAPI.error(status, status == 401 ? "authentication_error" : "permission_error", "invalid x-api-key"))
        }
        let report = try await F.run(transport, files: 6, configuration: F.configuration(concurrency: 1))
        #expect(await transport.sent.count == 1, "nothing is sent after the first refusal")
        guard case .rejectedCredentials(let detail)? = report.failure else {
            Issue.record("no run failure: \(String(describing: report.failure))")
            return
        }
        #expect(detail.contains("HTTP \(status)"))
        #expect(report.failedTasks.count == 1)
        #expect(report.unreviewedTasks.count == 5)
        for outcome in report.outcomes.dropFirst() {
            #expect(outcome.status == .notReviewed(reason: "not sent: the API refused the key"))
        }
    }

    @Test func anAPIThatNeverAnswersStopsAfterOneRequestsRetries() async throws {
        let transport = ScriptedTransport { _ in .fail(TransportError(kind: .connectionReset, message: "connection refused")) }
        let clock = TestClock()
        let report = try await F.run(transport, files: 4, configuration: F.configuration(concurrency: 1), clock: clock)
        #expect(await transport.sent.count == 5, "one request, retried as the policy allows, then nothing more")
        guard case .unreachable(let detail)? = report.failure else {
            Issue.record("no run failure: \(String(describing: report.failure))")
            return
        }
        #expect(detail.contains("gave up after 5 attempts"))
        #expect(clock.sleeps.count == 4)
        #expect(report.unreviewedTasks.count == 3)
    }

    @Test func aLostConnectionAfterAnAnswerIsNotARunFailure() async throws {
        let transport = ScriptedTransport { call in
            F.fileNumber(call) == 0 ? .answer(F.findings(for: 0))
                : .fail(TransportError(kind: .connectionReset, message: "connection reset by peer"))
        }
        let report = try await F.run(transport, files: 3, configuration: F.configuration(concurrency: 1))
        #expect(report.failure == nil)
        #expect(report.failedTasks.count == 2)
    }

    @Test func freshAsksAgainButStillStoresTheAnswers() async throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        let transport = ScriptedTransport { call in .answer(F.findings(for: F.fileNumber(call))) }
        _ = try await F.run(transport, files: 3, configuration: F.configuration(), store: store)
        #expect(await transport.sent.count == 3)

        var fresh = F.configuration()
        fresh.readCache = false
        let second = try await F.run(transport, files: 3, configuration: fresh, store: store)
        #expect(await transport.sent.count == 6, "--fresh sends every request again")
        #expect(second.cacheHits == 0)

        let third = try await F.run(transport, files: 3, configuration: F.configuration(), store: store)
        #expect(await transport.sent.count == 6)
        #expect(third.cacheHits == 3)
    }

    @Test func theProgressCallbackSeesTheVerificationPass() async throws {
        let transport = ScriptedTransport { call in
            call.tool == "verify_finding" ? .answer(FakeAPI.verdict("confirmed")) : .answer(F.findings(for: F.fileNumber(call)))
        }
        let seen = ProgressLog()
        let reviewSeries = series([F.patch(files: 3)])
        var runner = ReviewRunner(transport: transport, store: nil, configuration: F.configuration(verify: true),
                                  clock: TestClock(), jitter: { 0.5 })
        runner.progress = { seen.append($0) }
        _ = try await runner.run(plan: ReviewPlan.make(series: reviewSeries, options: F.options), series: reviewSeries,
                                 prompts: [testPrompts])
        let events = seen.events
        #expect(events.filter { $0.phase == .reviewing }.map(\.total) == [3, 3, 3])
        let verifying = events.filter { $0.phase == .verifying }
        #expect(verifying.map(\.done).sorted() == [1, 2, 3])
        #expect(verifying.allSatisfy { $0.total == 3 })
        #expect(ReviewProgress.Phase.verifying.unit == "findings")
    }

    @Test func findingsTheBudgetKeptFromVerificationAreUnverified() async throws {
        let transport = ScriptedTransport { call in
            call.tool == "verify_finding" ? .answer(FakeAPI.verdict("confirmed")) : .answer(F.findings(for: F.fileNumber(call)))
        }
        var configuration = F.configuration(concurrency: 1, verify: true)
        // Two reviews of 1,100 tokens each fit; no verification request does.
        configuration.budget = RunBudget(maxTokens: 2_000)
        let report = try await F.run(transport, files: 2, configuration: configuration)
        let findings = report.patches[0].findings
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { !$0.isVerified })
        #expect(findings.allSatisfy { $0.unverifiedReason == "not verified: the run budget was used up" })
        #expect(report.patches[0].draftable(includeUnverified: false).isEmpty)
        #expect(report.patches[0].draftable(includeUnverified: true).count == 2)
        #expect(await transport.calls { $0.tool == "verify_finding" }.isEmpty)
    }
}

/// Progress events, collected from whichever task reports them.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [ReviewProgress] = []

    func append(_ event: ReviewProgress) {
        lock.lock()
        recorded.append(event)
        lock.unlock()
    }

    var events: [ReviewProgress] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}
