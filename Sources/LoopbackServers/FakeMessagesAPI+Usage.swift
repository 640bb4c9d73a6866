import CurlKit
import Foundation

/// Prompt caching as the API bills it. Each block with `cache_control` ends a prefix
/// (tools, then system, then messages) cached by its exact bytes (the `cache_control`
/// markers left out) and the model; `tool_choice` is part of the key of message blocks,
/// since changing it keeps the tools and system cache but not the messages cache. A request
/// reads the longest cached prefix ending at a breakpoint or at any of the
/// `lookbackBlocks` block boundaries before one (so a breakpoint that moved on to a newer
/// turn still finds the prefix the last turn wrote), writes the prefixes ending at its
/// breakpoints after that one, and pays plain input for the rest. A prefix below the
/// minimum is neither read nor written. An entry becomes readable only when the response
/// that wrote it begins (`Options.timeToFirstToken`), so parallel requests racing for the
/// same prefix all write it. Each read renews the entry's lifetime.
struct PromptCache {
    struct Entry {
        var readableFrom: Date
        var expires: Date
        var lifetime: Double
    }

    private var entries: [Data: Entry] = [:]

    /// Block boundaries before a breakpoint checked for a cached prefix: the API's
    /// documented look-back of about 20 blocks.
    static let lookbackBlocks = 20

    mutating func usage(of request: ParsedRequest, minimumTokens: Int, now: Date,
                        readableAt: Date) -> FakeMessagesAPI.Usage {
        // Every block boundary: its key, the tokens up to it, and its lifetime at a breakpoint.
        var boundaries: [(key: Data, tokens: Int, lifetime: Double?)] = []
        var key = Data(request.model.utf8) + Data([0])
        var tokens = 0
        var choiceAdded = false
        for block in request.blocks {
            if block.inMessages, !choiceAdded {
                key += request.choiceBytes
                choiceAdded = true
            }
            key += block.bytes
            tokens += block.tokens
            boundaries.append((key, tokens, block.cacheTTL))
        }
        let prefixes = boundaries.compactMap { boundary in
            boundary.lifetime.flatMap { lifetime in
                boundary.tokens >= minimumTokens ? (key: boundary.key, tokens: boundary.tokens, lifetime: lifetime) : nil
            }
        }
        var candidates = Set<Int>()
        for (index, boundary) in boundaries.enumerated() where boundary.lifetime != nil {
            for back in max(0, index - Self.lookbackBlocks + 1)...index { candidates.insert(back) }
        }
        entries = entries.filter { $0.value.expires > now }

        var read = 0
        if let hit = candidates.sorted().last(where: { index in
            boundaries[index].tokens >= minimumTokens
                && (entries[boundaries[index].key].map { $0.readableFrom <= now } ?? false)
        }) {
            read = boundaries[hit].tokens
            // A breakpoint asking for a longer lifetime than the entry has extends it.
            let lifetime = max(entries[boundaries[hit].key]!.lifetime, boundaries[hit].lifetime ?? 0)
            entries[boundaries[hit].key]!.lifetime = lifetime
            entries[boundaries[hit].key]!.expires = now.addingTimeInterval(lifetime)
        }
        var written = 0
        for prefix in prefixes where prefix.tokens > read {
            written = prefix.tokens - read
            if entries[prefix.key] == nil {
                entries[prefix.key] = Entry(readableFrom: readableAt, expires: readableAt.addingTimeInterval(prefix.lifetime),
                                            lifetime: prefix.lifetime)
            }
        }
        var usage = FakeMessagesAPI.Usage()
        usage.cacheReadInputTokens = read
        usage.cacheCreationInputTokens = written
        usage.inputTokens = request.estimatedInputTokens - read - written
        return usage
    }
}

/// One-minute rate-limit windows: the first request opens a window, which resets a minute
/// later. Cache reads do not count against input tokens (as for current Claude models).
struct RateWindow {
    var start: Date?
    var requests = 0
    var inputTokens = 0
    var outputTokens = 0

    static let length: Double = 60

    enum Admission {
        case admitted(HTTPHeaders)
        case refused(APIError, HTTPHeaders)
    }

    mutating func admit(inputTokens estimate: Int, limits: FakeMessagesAPI.RateLimits, now: Date) -> Admission {
        if let start, now.timeIntervalSince(start) >= Self.length { self = RateWindow() }
        let start = self.start ?? now
        self.start = start
        let reset = start.addingTimeInterval(Self.length)
        let retryAfter = max(1, Int(reset.timeIntervalSince(now).rounded(.up)))
        if requests + 1 > limits.requestsPerMinute {
            return .refused(APIError(status: 429, type: "rate_limit_error",
                                     message: "Number of requests has exceeded your per-minute rate limit",
                                     retryAfter: retryAfter), headers(limits, reset: reset))
        }
        if inputTokens + estimate > limits.inputTokensPerMinute {
            return .refused(APIError(status: 429, type: "rate_limit_error",
                                     message: "Number of input tokens has exceeded your per-minute rate limit",
                                     retryAfter: retryAfter), headers(limits, reset: reset))
        }
        requests += 1
        return .admitted(headers(limits, reset: reset))
    }

    /// Charges the billed input (after caching) and output of an answer.
    mutating func record(input: Int, output: Int) {
        inputTokens += input
        outputTokens += output
    }

    func headers(_ limits: FakeMessagesAPI.RateLimits, reset: Date) -> HTTPHeaders {
        let stamp = Self.rfc3339(reset)
        let tokenLimit = limits.inputTokensPerMinute + limits.outputTokensPerMinute
        var headers = HTTPHeaders()
        for (name, limit, used) in [("requests", limits.requestsPerMinute, requests),
                                    ("tokens", tokenLimit, inputTokens + outputTokens),
                                    ("input-tokens", limits.inputTokensPerMinute, inputTokens),
                                    ("output-tokens", limits.outputTokensPerMinute, outputTokens)] {
            headers.add("anthropic-ratelimit-\(name)-limit", String(limit))
            headers.add("anthropic-ratelimit-\(name)-remaining", String(max(0, limit - used)))
            headers.add("anthropic-ratelimit-\(name)-reset", stamp)
        }
        return headers
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
