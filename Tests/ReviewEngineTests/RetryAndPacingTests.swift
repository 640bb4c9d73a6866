import Foundation
import Testing
@testable import ReviewEngine

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    func http(_ status: Int, _ message: String = "x", retryAfter: Duration? = nil) -> AttemptFailure {
        .http(status: status, errorType: nil, message: message, retryAfter: retryAfter, requestID: nil)
    }

    @Test(arguments: [400, 401, 403, 404, 413])
    func clientErrorsAreNeverRetried(status: Int) {
        guard case .giveUp(let reason) = policy.decide(http(status, "bad"), attempt: 1, jitter: 0) else {
            Issue.record("HTTP \(status) was retried"); return
        }
        #expect(reason.contains("HTTP \(status)"))
    }

    @Test(arguments: [429, 500, 529])
    func transientErrorsBackOffExponentially(status: Int) {
        let delays = (1...4).map { policy.decide(http(status), attempt: $0, jitter: 1) }
        #expect(delays == [.retry(after: .seconds(1)), .retry(after: .seconds(2)), .retry(after: .seconds(4)),
                           .retry(after: .seconds(8))])
        if case .retry = policy.decide(http(status), attempt: 5, jitter: 1) { Issue.record("retried past maxAttempts") }
    }

    @Test func jitterSpreadsBetweenHalfAndFullDelay() {
        #expect(policy.decide(http(500), attempt: 3, jitter: 0) == .retry(after: .seconds(2)))
        #expect(policy.decide(http(500), attempt: 3, jitter: 0.5) == .retry(after: .seconds(3)))
        var patient = policy
        patient.maxAttempts = 100
        #expect(patient.decide(http(500), attempt: 20, jitter: 1) == .retry(after: .seconds(60)))
        #expect(patient.decide(http(500), attempt: 90, jitter: 1) == .retry(after: .seconds(60)))
    }

    @Test func retryAfterIsHonoured() {
        #expect(policy.decide(http(429, retryAfter: .seconds(17)), attempt: 1, jitter: 0.9) == .retry(after: .seconds(17)))
        guard case .giveUp = policy.decide(http(429, retryAfter: .seconds(3_600)), attempt: 1, jitter: 0) else {
            Issue.record("an hour-long retry-after stalled the run"); return
        }
    }

    @Test func spendLimit429IsNotRetried() {
        let failure = http(429, "You have reached your specified API usage limits. You will regain access on 2026-12-01.")
        guard case .giveUp(let reason) = policy.decide(failure, attempt: 1, jitter: 0) else {
            Issue.record("spend limit retried"); return
        }
        #expect(reason.contains("usage limits"))
        #expect(policy.decide(http(429, "Number of request tokens has exceeded your per-minute rate limit"),
                              attempt: 1, jitter: 1) == .retry(after: .seconds(1)))
    }

    @Test func timeoutsAndResetsAreRetriedOtherTransportErrorsAreNot() {
        #expect(policy.decide(.transport(TransportError(kind: .timeout, message: "t")), attempt: 1, jitter: 1)
            == .retry(after: .seconds(1)))
        #expect(policy.decide(.transport(TransportError(kind: .connectionReset, message: "r")), attempt: 2, jitter: 1)
            == .retry(after: .seconds(2)))
        #expect(policy.decide(.transport(TransportError(kind: .other, message: "could not resolve host")), attempt: 1,
                              jitter: 1) == .giveUp(reason: "no answer: could not resolve host"))
    }
}

@Suite struct RateLimitPacerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    @Test func waitsForAnExhaustedWindowToReset() {
        var pacer = RateLimitPacer()
        pacer.observe(headers: ["anthropic-ratelimit-requests-remaining": "0",
                                "anthropic-ratelimit-requests-reset": stamp(now + 12.5)])
        #expect(pacer.reserve(now: now, inputTokens: 10) == .milliseconds(12_500))
        // After the reset the window is forgotten until new headers arrive.
        #expect(pacer.reserve(now: now + 13, inputTokens: 10) == .zero)
    }

    @Test func tokenWindowsCompareWithTheRequestSize() {
        var pacer = RateLimitPacer()
        pacer.observe(headers: ["anthropic-ratelimit-input-tokens-remaining": "5000",
                                "anthropic-ratelimit-input-tokens-reset": "2027-01-15T08:00:30Z"])
        let before = ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z")!
        #expect(pacer.reserve(now: before, inputTokens: 3_000) == .zero)
        // The first request used 3000 of the 5000: a second one of 3000 must wait.
        #expect(pacer.reserve(now: before, inputTokens: 3_000) == .seconds(30))
    }

    @Test func ignoresMissingOrUnparsableHeaders() {
        var pacer = RateLimitPacer()
        pacer.observe(headers: ["anthropic-ratelimit-requests-remaining": "0",
                                "anthropic-ratelimit-requests-reset": "soon"])
        #expect(pacer.reserve(now: now, inputTokens: 1) == .zero)
    }
}
