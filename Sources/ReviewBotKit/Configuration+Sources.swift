import CurlKit
import Foundation
import MailSources

/// Command-line flags that override the configuration file where sources are read. nil
/// (false for switches) means "as configured"; a switch can only turn a setting on.
public struct SourceFlags: Sendable, Equatable {
    /// `--lore-url`.
    public var loreURL: String?
    /// `--no-cache`.
    public var noCache: Bool
    /// `--imap-allow-plaintext`.
    public var imapAllowPlaintext: Bool
    /// `--imap-days`.
    public var imapDays: Int?
    /// `--imap-search`: a raw IMAP search, winning over any number of days.
    public var imapSearch: String?
    /// `--ca-file`: for lore and IMAP alike.
    public var caFile: String?
    /// `--timeout`: seconds, for lore and IMAP alike.
    public var timeout: Double?

    public init(loreURL: String? = nil, noCache: Bool = false, imapAllowPlaintext: Bool = false,
                imapDays: Int? = nil, imapSearch: String? = nil, caFile: String? = nil, timeout: Double? = nil) {
        self.loreURL = loreURL
        self.noCache = noCache
        self.imapAllowPlaintext = imapAllowPlaintext
        self.imapDays = imapDays
        self.imapSearch = imapSearch
        self.caFile = caFile
        self.timeout = timeout
    }

    /// Checks the numbers against the same ranges as the file's keys, so `--timeout 1e300`
    /// or `--imap-days 99999999999` is refused with the allowed range instead of
    /// overflowing later.
    public func validate() throws {
        if let timeout { try Configuration.check(flag: "--timeout", timeout, in: ConfigSchema.timeoutFlagSeconds) }
        if let imapDays {
            try Configuration.check(flag: "--imap-days", Double(imapDays),
                                    in: Double(ConfigSchema.imapDays.lowerBound)...Double(ConfigSchema.imapDays.upperBound))
        }
    }
}

extension Configuration {
    /// How `fetch` (and later `review`) reaches lore: `[lore]` with the flags on top; the
    /// thread cache under the XDG cache directory unless `--no-cache` or `cache = false`.
    public func loreConfiguration(flags: SourceFlags = SourceFlags(),
                                  environment: [String: String]) throws -> LoreConfiguration {
        try flags.validate()
        let seconds = try Self.positive(flags.timeout ?? Double(lore.timeoutSeconds), "lore timeout")
        guard ConfigSchema.retries.contains(lore.retries) else {
            throw ReviewBotError("lore.retries = \(lore.retries) is not allowed: \(AllowedValues.integers(ConfigSchema.retries))")
        }
        let cache = flags.noCache || !lore.cache ? nil : URL(fileURLWithPath: XDGDirectories(environment: environment).cache)
        return LoreConfiguration(baseURL: flags.loreURL ?? lore.url, timeouts: Self.timeouts(seconds),
                                 // Qualified: ReviewEngine has a RetryPolicy for the model API too.
                                 retry: MailSources.RetryPolicy(maxAttempts: lore.retries + 1), cacheDirectory: cache,
                                 tls: TLSOptions(caFile: flags.caFile))
    }

    /// How `fetch` and `drafts push` reach IMAP: `[imap]` with the flags on top. The search
    /// is the first given of `--imap-search`, `--imap-days`, `search`, `days`.
    public func imapOptions(flags: SourceFlags = SourceFlags(),
                            environment: [String: String]) throws -> IMAPOptions {
        try flags.validate()
        let seconds = try Self.positive(flags.timeout ?? Double(imap.timeoutSeconds), "imap timeout")
        let search: IMAPOptions.Search
        if let raw = flags.imapSearch {
            search = .raw(raw)
        } else if let days = flags.imapDays {
            search = .recentPatches(days: days)
        } else if let raw = imap.search {
            search = .raw(raw)
        } else {
            guard ConfigSchema.imapDays.contains(imap.days) else {
                throw ReviewBotError("imap.days = \(imap.days) is not allowed: \(AllowedValues.integers(ConfigSchema.imapDays))")
            }
            search = .recentPatches(days: imap.days)
        }
        return IMAPOptions(allowPlaintext: flags.imapAllowPlaintext || imap.allowPlaintext,
                           tls: TLSOptions(caFile: flags.caFile ?? imap.caFile), timeout: seconds,
                           search: search, passwordCommand: imap.passwordCommand,
                           passwordCommandTimeout: Double(imap.passwordCommandTimeoutSeconds), environment: environment)
    }

    /// One user-facing timeout as libcurl limits: connecting takes at most 10 s (or less
    /// when the timeout is shorter), a server that sends nothing for `seconds` is given up
    /// on, and a transfer that trickles is cut at four times `seconds`.
    static func timeouts(_ seconds: Double) -> TransferTimeouts {
        TransferTimeouts(connect: min(seconds, 10), total: seconds * 4,
                         lowSpeedBytesPerSecond: 1, lowSpeedSeconds: Int(seconds.rounded(.up)))
    }

    /// A timeout in seconds, from a flag or a file key: within the range every timeout
    /// shares (`ConfigSchema.timeoutFlagSeconds`).
    static func positive(_ value: Double, _ name: String) throws -> Double {
        guard value.isFinite, ConfigSchema.timeoutFlagSeconds.contains(value) else {
            throw ReviewBotError("\(name) \(number(value)) is not allowed: "
                + "\(AllowedValues.numbers(ConfigSchema.timeoutFlagSeconds)) seconds")
        }
        return value
    }

    /// A number given on the command line, against the range of the key it stands for.
    public static func check(flag: String, _ value: Double, in range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ReviewBotError("\(flag) \(number(value)) is not allowed: \(AllowedValues.numbers(range))")
        }
    }
}
