import Foundation

/// Tokens as the API bills them.
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Input tokens neither written to nor read from the cache.
    public var input: Int = 0
    public var cacheWrite: Int = 0
    public var cacheRead: Int = 0
    public var output: Int = 0

    public init(input: Int = 0, cacheWrite: Int = 0, cacheRead: Int = 0, output: Int = 0) {
        self.input = input
        self.cacheWrite = cacheWrite
        self.cacheRead = cacheRead
        self.output = output
    }

    public init(_ usage: MessagesAPI.Usage) {
        self.init(input: usage.inputTokens, cacheWrite: usage.cacheCreationInputTokens ?? 0,
                  cacheRead: usage.cacheReadInputTokens ?? 0, output: usage.outputTokens)
    }

    /// Every token billed, whatever its rate (what a token budget counts).
    public var total: Int { input + cacheWrite + cacheRead + output }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(input: lhs.input + rhs.input, cacheWrite: lhs.cacheWrite + rhs.cacheWrite,
                   cacheRead: lhs.cacheRead + rhs.cacheRead, output: lhs.output + rhs.output)
    }

    public static func += (lhs: inout TokenUsage, rhs: TokenUsage) { lhs = lhs + rhs }
}

/// US dollars per million tokens for one model.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var input: Double
    public var cacheWrite: Double
    public var cacheRead: Double
    public var output: Double

    public init(input: Double, cacheWrite: Double, cacheRead: Double, output: Double) {
        self.input = input
        self.cacheWrite = cacheWrite
        self.cacheRead = cacheRead
        self.output = output
    }

    /// Cache writes at 1.25x and reads at 0.1x the input price: Anthropic's multipliers for
    /// the five-minute cache.
    public init(input: Double, output: Double) {
        // Rounded to a millionth of a dollar, so 3 x 0.1 is the 0.3 a price list prints,
        // not 0.30000000000000004.
        func micro(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }
        self.init(input: input, cacheWrite: micro(input * 1.25), cacheRead: micro(input * 0.1), output: output)
    }

    /// Estimated dollars for `usage`.
    public func cost(of usage: TokenUsage) -> Double {
        (Double(usage.input) * input + Double(usage.cacheWrite) * cacheWrite
            + Double(usage.cacheRead) * cacheRead + Double(usage.output) * output) / 1_000_000
    }
}

/// Prices by model name, from configuration.
public struct PriceTable: Sendable, Hashable, Codable {
    public var prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice]) { self.prices = prices }

    /// The price for a model: an exact entry, else the longest entry that is a prefix of the
    /// name (`claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`).
    public func price(for model: String) -> ModelPrice? {
        if let exact = prices[model] { return exact }
        return prices.filter { model.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }

    /// The only place with built-in numbers: Anthropic's published list prices per million
    /// tokens at the time of writing. The config file overrides them; update them there.
    public static let defaults = PriceTable(prices: [
        "claude-opus-4-5": ModelPrice(input: 5, output: 25),
        "claude-opus-4-1": ModelPrice(input: 15, output: 75),
        "claude-opus-4": ModelPrice(input: 15, output: 75),
        "claude-sonnet-4": ModelPrice(input: 3, output: 15),
        "claude-haiku-4-5": ModelPrice(input: 1, output: 5),
    ])
}

/// What a plan is expected to cost, before any request.
public struct PlanEstimate: Sendable, Hashable {
    public var usage: TokenUsage
    /// Nil when the price table has no entry for the model.
    public var cost: Double?
}

extension ReviewPlan {
    /// Estimates a review the way the API bills it: each request reads from cache the
    /// longest prefix, up to a breakpoint, that an earlier request wrote, writes the rest of
    /// its cached prefix, and pays its task's diff as plain input; `outputTokensPerTask`
    /// per task. Token counts are bytes/4 estimates. `prompts` holds one bundle per patch,
    /// as for `ReviewRunner.run`. With a tree, `tree` adds each task's code context to its
    /// input (the context-tool turns the model may take are not known in advance).
    public func estimate(series: ReviewSeries, prompts: [PromptBundle], model: String,
                         prices: PriceTable, outputTokensPerTask: Int = 800, tree: ReviewTree? = nil) -> PlanEstimate {
        var usage = TokenUsage()
        var cached = Set<String>()
        for patch in patches where !patch.tasks.isEmpty {
            let prefix = PromptAssembly.prefix(bundle: prompts[patch.patchIndex], series: series,
                                               patchIndex: patch.patchIndex)
            // The prefix up to each breakpoint, and its size.
            var breakpoints: [(key: String, tokens: Int)] = []
            var key = "", tokens = 0
            for block in prefix.blocks {
                key += block.text + "\u{0}"
                tokens += TokenEstimate.tokens(for: block.text)
                if block.cacheControl != nil { breakpoints.append((key, tokens)) }
            }
            let cachedTokens = breakpoints.last?.tokens ?? 0
            for _ in patch.tasks {
                let read = breakpoints.last(where: { cached.contains($0.key) })?.tokens ?? 0
                usage.cacheRead += read
                usage.cacheWrite += cachedTokens - read
                usage.input += tokens - cachedTokens
                for breakpoint in breakpoints { cached.insert(breakpoint.key) }
            }
            usage.input += patch.estimatedTaskTokens
            if let tree {
                usage.input += patch.tasks.reduce(0) { total, task in
                    total + (tree.contexts[task.id]?.sections.reduce(0) { $0 + TokenEstimate.tokens(for: $1.text) } ?? 0)
                }
            }
            usage.output += outputTokensPerTask * patch.tasks.count
        }
        return PlanEstimate(usage: usage, cost: prices.price(for: model)?.cost(of: usage))
    }
}
