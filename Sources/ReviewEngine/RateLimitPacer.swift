import Foundation

/// Paces requests by the `anthropic-ratelimit-*` headers so the run waits for a window to
/// reset instead of collecting 429s. Pure: feed it headers, ask it how long to wait.
public struct RateLimitPacer: Sendable, Hashable {
    struct Window: Sendable, Hashable {
        var remaining: Int
        var reset: Date
    }

    /// The limits the API reports, by the header's middle part.
    static let limits = ["requests", "tokens", "input-tokens", "output-tokens"]

    var windows: [String: Window] = [:]

    /// The longest the pacer holds a request back. The API's limits are per minute, so a
    /// real window resets within a minute; a reset further away (a broken header, a clock
    /// gone wrong, the year 2100) is waited for this long, then the request goes and any
    /// 429 is handled by the retry policy.
    public static let maxWait: Duration = .seconds(60)

    public init() {}

    /// Takes the limits from an answer's headers (names lowercase); the latest answer wins.
    public mutating func observe(headers: [String: String]) {
        for limit in Self.limits {
            guard let remainingText = headers["anthropic-ratelimit-\(limit)-remaining"],
                  let remaining = Int(remainingText.trimmingCharacters(in: .whitespaces)),
                  let resetText = headers["anthropic-ratelimit-\(limit)-reset"],
                  let reset = Self.parseRFC3339(resetText) else { continue }
            windows[limit] = Window(remaining: remaining, reset: reset)
        }
    }

    /// How long to wait before sending a request of about `inputTokens` input tokens, and
    /// counts the request against the windows so parallel tasks do not all see the same
    /// remaining allowance.
    public mutating func reserve(now: Date, inputTokens: Int) -> Duration {
        var until = now
        for (limit, window) in windows where window.reset > now {
            let needed = limit == "tokens" || limit == "input-tokens" ? inputTokens : 1
            if window.remaining < needed { until = max(until, window.reset) }
        }
        for (limit, window) in windows {
            if window.reset <= now { windows[limit] = nil; continue }
            let used = limit == "tokens" || limit == "input-tokens" ? inputTokens : limit == "requests" ? 1 : 0
            windows[limit]?.remaining = max(0, window.remaining - used)
        }
        return min(.saturating(seconds: until.timeIntervalSince(now)), Self.maxWait)
    }

    static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
