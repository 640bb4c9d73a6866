import Foundation

/// Why one attempt at a request did not give a usable answer.
public enum AttemptFailure: Sendable, Hashable, CustomStringConvertible {
    case http(status: Int, errorType: String?, message: String, retryAfter: Duration?, requestID: String?)
    case transport(TransportError)

    /// Reads an error answer: the API's `{"type":"error","error":{...}}` body when it is
    /// one, else the start of whatever a proxy sent.
    public init(answer: HTTPAnswer) {
        let detail = try? JSONDecoder().decode(MessagesAPI.ErrorBody.self, from: answer.body).error
        let message = detail?.message ?? String(decoding: answer.body.prefix(Self.quotedBodyBytes), as: UTF8.self)
        self = .http(status: answer.status, errorType: detail?.type, message: message,
                     retryAfter: answer.headers["retry-after"].flatMap(Self.seconds),
                     requestID: answer.headers["request-id"])
    }

    /// How much of a non-API error body goes into the report: enough for a proxy's message,
    /// not a whole HTML page.
    static let quotedBodyBytes = 300

    /// `retry-after` in seconds, saturating: `1e16` is a very long wait, not a trap.
    static func seconds(_ text: String) -> Duration? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value >= 0, !value.isNaN else { return nil }
        return .saturating(seconds: value)
    }

    public var description: String {
        switch self {
        case .http(let status, let type, let message, _, let requestID):
            let id = requestID.map { " (request-id \($0))" } ?? ""
            return "HTTP \(status)\(type.map { " \($0)" } ?? ""): \(message)\(id)"
        case .transport(let error):
            return "no answer: \(error.message)"
        }
    }
}

/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Hashable {
    case retry(after: Duration)
    case giveUp(reason: String)
}

/// Which failures are transient and how long to wait before trying again.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per request, the first included.
    public var maxAttempts: Int = 5
    /// Wait after the first failure; doubled after each further one.
    public var baseDelay: Duration = .seconds(1)
    public var maxDelay: Duration = .seconds(60)
    /// A `retry-after` longer than this ends the request instead of stalling the run.
    public var maxRetryAfter: Duration = .seconds(600)
    /// Statuses worth another try: rate limit, server error, overload, and the gateway
    /// timeouts proxies answer with.
    public var retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504, 529]
    /// Phrases (lowercase) of a 429 that reports an exhausted spend or usage limit, which
    /// waiting does not fix.
    public var spendLimitPhrases: [String] = ["spend limit", "usage limit", "credit balance"]

    public init() {}

    /// Decides after attempt number `attempt` (1-based) failed. `jitter` in [0, 1) spreads
    /// retries of parallel tasks apart ("equal jitter": half fixed, half random).
    public func decide(_ failure: AttemptFailure, attempt: Int, jitter: Double) -> RetryDecision {
        switch failure {
        case .transport(let error) where error.kind == .other:
            return .giveUp(reason: failure.description)
        case .http(let status, _, _, _, _) where !retryableStatuses.contains(status):
            return .giveUp(reason: failure.description)
        case .http(429, _, let message, _, _)
            where spendLimitPhrases.contains(where: message.lowercased().contains):
            return .giveUp(reason: failure.description + "; raise the limit or wait, then run again")
        default:
            break
        }
        guard attempt < maxAttempts else {
            return .giveUp(reason: "\(failure) (gave up after \(attempt) attempts)")
        }
        if case .http(_, _, _, let retryAfter?, _) = failure {
            return retryAfter <= maxRetryAfter ? .retry(after: retryAfter)
                : .giveUp(reason: "\(failure) (retry-after \(retryAfter) is longer than \(maxRetryAfter))")
        }
        let exponential = baseDelay * (1 << min(attempt - 1, 30))
        let capped = min(exponential, maxDelay)
        let factor = 0.5 + 0.5 * min(max(jitter, 0), 1)
        return .retry(after: .milliseconds(Int64((capped.milliseconds * factor).rounded())))
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15
    }

    /// The longest wait a number from a server can become: about 31 years, far past every
    /// limit the run applies, and far inside what `Duration` and `Int64` milliseconds hold.
    static let longestWait: Duration = .seconds(1_000_000_000)

    /// `seconds` as a duration, clamped to `0...longestWait` (infinity included; NaN is 0),
    /// so a hostile number never traps a conversion.
    static func saturating(seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        guard seconds < longestWait.seconds else { return longestWait }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
