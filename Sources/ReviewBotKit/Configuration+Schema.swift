import Foundation
import KernelTree
import ReviewEngine
import TOMLKit

/// What a setting may hold. Every number a file, a flag or the environment can set has a
/// range here, so no value can overflow the arithmetic behind it (a timeout becomes
/// milliseconds for libcurl, retries become attempts plus one).
public enum AllowedValues: Sendable, Equatable, CustomStringConvertible {
    case integers(ClosedRange<Int>)
    case numbers(ClosedRange<Double>)
    case choices([String])
    /// A URL with one of these schemes and a host.
    case url(schemes: [String])
    /// Any text (paths, commands, names).
    case text

    public var description: String {
        switch self {
        case .integers(let r): "\(r.lowerBound) to \(r.upperBound)"
        case .numbers(let r): "\(Configuration.number(r.lowerBound)) to \(Configuration.number(r.upperBound))"
        case .choices(let c): "one of " + c.joined(separator: ", ")
        case .url(let schemes): "a URL starting with " + schemes.map { $0 + "://" }.joined(separator: " or ")
        case .text: "any text"
        }
    }

    /// Whether `value` fits; nil values (unset optional keys) always do.
    func admits(_ value: ConfigValue?) -> Bool {
        guard let value else { return true }
        switch (self, value) {
        case (.integers(let r), .integer(let i)): return r.contains(i)
        case (.numbers(let r), .number(let d)): return d.isFinite && r.contains(d)
        case (.choices(let c), .string(let s)): return c.contains(s)
        case (.url(let schemes), .string(let s)):
            guard let components = URLComponents(string: s), let scheme = components.scheme?.lowercased(),
                  schemes.contains(scheme), components.host?.isEmpty == false else { return false }
            return true
        case (.text, _), (_, .boolean): return true
        default: return false
        }
    }
}

/// A setting's value as the file writes it.
enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    /// A TOML array of strings.
    case strings([String])
}

/// One key of the configuration file: how it is read, what it means, what it may hold,
/// and how `config dump` prints it.
struct ConfigKey {
    typealias Setter = (inout Configuration, any TOMLValueConvertible, String, String) throws -> Void

    /// `lore.timeout_seconds`; top-level keys have no section.
    let name: String
    /// One line for `config dump` and the README.
    let doc: String
    let allowed: AllowedValues
    let read: Setter
    /// nil when an optional key is not set.
    let value: (Configuration) -> ConfigValue?
    /// Printed masked: may hold a password.
    var secret = false

    var section: String? { name.contains(".") ? String(name.split(separator: ".")[0]) : nil }
    var field: String { String(name.split(separator: ".").last ?? "") }
}

/// A setting outside its allowed values, found when the configuration is loaded.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var value: String
    public var allowed: String
    /// Where the value came from when it was not the file (`ANTHROPIC_BASE_URL`).
    public var origin: String?

    public var description: String {
        "\(key) = \(value)\(origin.map { " (from \($0))" } ?? "") is not allowed: \(allowed)"
    }
}

/// The keys the file may hold, in the order `config dump` prints them, each with its doc,
/// its allowed values and how it lands in the value. The one table of ranges.
enum ConfigSchema {
    static func str(_ kp: WritableKeyPath<Configuration, String>) -> ConfigKey.Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.string(v, k, f) }
    }
    static func optStr(_ kp: WritableKeyPath<Configuration, String?>) -> ConfigKey.Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.string(v, k, f) }
    }
    static func int(_ kp: WritableKeyPath<Configuration, Int>) -> ConfigKey.Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.int(v, k, f) }
    }
    static func num(_ kp: WritableKeyPath<Configuration, Double>) -> ConfigKey.Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.number(v, k, f) }
    }
    static func bool(_ kp: WritableKeyPath<Configuration, Bool>) -> ConfigKey.Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.bool(v, k, f) }
    }
    static func key(_ name: String, _ kp: WritableKeyPath<Configuration, [String]>, doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc, allowed: .text, read: { c, v, k, f in c[keyPath: kp] = try Configuration.strings(v, k, f) },
                  value: { .strings($0[keyPath: kp]) })
    }

    static func key(_ name: String, _ kp: WritableKeyPath<Configuration, String>, _ allowed: AllowedValues = .text,
                    doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc, allowed: allowed, read: str(kp), value: { .string($0[keyPath: kp]) })
    }
    static func key(_ name: String, _ kp: WritableKeyPath<Configuration, String?>, _ allowed: AllowedValues = .text,
                    secret: Bool = false, doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc, allowed: allowed, read: optStr(kp), value: { $0[keyPath: kp].map { .string($0) } },
                  secret: secret)
    }
    static func key(_ name: String, _ kp: WritableKeyPath<Configuration, Int>, _ range: ClosedRange<Int>,
                    doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc, allowed: .integers(range), read: int(kp), value: { .integer($0[keyPath: kp]) })
    }
    static func key(_ name: String, _ kp: WritableKeyPath<Configuration, Double>, _ range: ClosedRange<Double>,
                    doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc, allowed: .numbers(range), read: num(kp), value: { .number($0[keyPath: kp]) })
    }
    static func key(_ name: String, _ kp: WritableKeyPath<Configuration, Bool>, doc: String) -> ConfigKey {
        ConfigKey(name: name, doc: doc, allowed: .text, read: bool(kp), value: { .boolean($0[keyPath: kp]) })
    }

    // Limits, each with where its number comes from.

    /// Network timeouts in whole seconds: an hour is longer than any answer we wait for
    /// (the model API's longest non-streamed answer takes minutes); libcurl counts in
    /// milliseconds, so the bound also keeps the arithmetic far from overflow.
    static let timeoutSeconds: ClosedRange<Int> = 1...3_600
    /// `--timeout` may be fractional (loopback tests use half a second); libcurl's
    /// resolution is a millisecond.
    static let timeoutFlagSeconds: ClosedRange<Double> = 0.001...3_600
    /// How long a `password_command` may run: a pinentry prompt for a GPG passphrase needs
    /// a person's time (the default is two minutes); an hour is no longer waiting for one.
    static let passwordCommandSeconds: ClosedRange<Int> = 1...3_600
    /// Retries after the first attempt: ten backoffs of up to a minute are already ten
    /// minutes of waiting for one request.
    static let retries: ClosedRange<Int> = 0...10
    /// Days back for the IMAP search: ten years of list mail is more than any folder holds.
    static let imapDays: ClosedRange<Int> = 1...3_650
    /// Output tokens: 128k is the most any Claude model produces in one answer.
    static let maxTokens: ClosedRange<Int> = 1...128_000
    /// Requests in flight: the API's rate limits make more than this pointless.
    static let concurrency: ClosedRange<Int> = 1...64
    /// Changed lines per task: the planner's per-patch limit (5,000) is the most one task
    /// could ever hold.
    static let taskLines: ClosedRange<Int> = 1...5_000
    /// Findings per patch: more than this is not a review a maintainer can send.
    static let findingsPerPatch: ClosedRange<Int> = 1...100
    /// A run budget in tokens: a billion tokens is thousands of dollars at any price.
    static let budgetTokens: ClosedRange<Int> = 0...1_000_000_000
    /// A run budget in dollars (0: no limit); ten thousand dollars is a bound that no
    /// review should come near, and it keeps nan and infinities out.
    static let budgetUSD: ClosedRange<Double> = 0...10_000
    /// Dollars per million tokens: list prices are below a hundred; a thousand allows
    /// any gateway mark-up.
    static let pricePerMillion: ClosedRange<Double> = 0...1_000
    /// Context-tool turns per task: each is a request; 0 forces the answer at once, and
    /// beyond 50 a task would read more than a maintainer reviews a patch by.
    static let toolTurns: ClosedRange<Int> = 0...50
    /// Code context per task, in tokens: 0 sends none (the tools still work); 200k is the
    /// whole context window of the models we talk to.
    static let contextTokens: ClosedRange<Int> = 0...200_000
    /// Caller levels in a task's context: as deep as KernelTree reads.
    static let callerDepth: ClosedRange<Int> = 0...KernelTreeLimits.maxCallerDepth
    /// Patches in a series before the cover letter gets a summary reply (0: never); a
    /// series slot counter never goes past 999 in practice.
    static let coverReplyPatches: ClosedRange<Int> = 0...999
    /// Earlier revisions whose threads are read: a series rarely reaches v10, and each is
    /// a fetch from lore before the review starts.
    static let earlierRounds: ClosedRange<Int> = 0...10

    /// Seconds between polls: a twentieth of a second lets loopback tests run quickly; a
    /// day between two looks is no longer watching.
    static let pollSeconds: ClosedRange<Double> = 0.05...86_400
    /// Minutes an incomplete series waits for its missing parts: a week covers any
    /// posting that arrives in pieces.
    static let settleMinutes: ClosedRange<Double> = 0...10_080
    /// Series reviewed at once; each runs `[model] concurrency` requests, so the product
    /// stays within what any API rate limit admits.
    static let watchConcurrency: ClosedRange<Int> = 1...32

    static var keys: [ConfigKey] { [
        key("prompts_dir", \.promptsDirectory,
            doc: "directory whose prompt files replace (same relative path) or add to the bundled ones"),

        key("lore.url", \.lore.url, .url(schemes: ["https", "http"]),
            doc: "the public-inbox server threads are fetched from (lore.kernel.org, a mirror, a private instance)"),
        key("lore.cache", \.lore.cache, doc: "keep fetched threads under $XDG_CACHE_HOME/reviewbot"),
        key("lore.timeout_seconds", \.lore.timeoutSeconds, timeoutSeconds,
            doc: "seconds of silence before lore is given up on (a transfer may take four times this)"),
        key("lore.retries", \.lore.retries, retries, doc: "retries of a failed fetch after the first attempt"),

        key("imap.password_command", \.imap.passwordCommand, secret: true,
            doc: "run by /bin/sh; the first line it prints is the IMAP password (or set REVIEWBOT_IMAP_PASSWORD)"),
        key("imap.days", \.imap.days, imapDays, doc: "the default search: PATCH subjects received in this many days"),
        key("imap.search", \.imap.search, doc: "a raw IMAP SEARCH replacing the default one"),
        key("imap.allow_plaintext", \.imap.allowPlaintext, doc: "allow imap:// without TLS (loopback test servers only)"),
        key("imap.ca_file", \.imap.caFile, doc: "a PEM file of CA certificates to trust for IMAP"),
        key("imap.timeout_seconds", \.imap.timeoutSeconds, timeoutSeconds,
            doc: "seconds of silence before the IMAP server is given up on (a whole step may take four times this)"),
        key("imap.password_command_timeout_seconds", \.imap.passwordCommandTimeoutSeconds, passwordCommandSeconds,
            doc: "seconds password_command may run before it is stopped (its stderr is then shown)"),

        key("smtp.url", \.smtp.url, .url(schemes: ["smtps", "smtp"]),
            doc: "the submission server: smtps://host:465, or smtp://host:587 with STARTTLS"),
        key("smtp.user", \.smtp.user, doc: "the SMTP login"),
        key("smtp.password_command", \.smtp.passwordCommand, secret: true,
            doc: "run by /bin/sh; the first line it prints is the SMTP password (or set REVIEWBOT_SMTP_PASSWORD)"),
        key("smtp.allow_plaintext", \.smtp.allowPlaintext, doc: "allow smtp:// without STARTTLS (loopback test servers only)"),
        key("smtp.timeout_seconds", \.smtp.timeoutSeconds, timeoutSeconds,
            doc: "seconds of silence before the SMTP server is given up on"),
        key("smtp.password_command_timeout_seconds", \.smtp.passwordCommandTimeoutSeconds, passwordCommandSeconds,
            doc: "seconds password_command may run before it is stopped (its stderr is then shown)"),

        key("model.name", \.model.name, doc: "the model every request names"),
        key("model.max_tokens", \.model.maxTokens, maxTokens, doc: "room for one answer, in output tokens"),
        key("model.max_tokens_ceiling", \.model.maxTokensCeiling, maxTokens,
            doc: "a cut answer is asked again once with up to this much room (never less than max_tokens)"),
        key("model.base_url", \.model.baseURL, .url(schemes: ["https", "http"]),
            doc: "the Messages API server, without /v1/messages (ANTHROPIC_BASE_URL overrides it)"),
        key("model.auth", \.model.auth, .choices(APIAuthStyle.allCases.map(\.rawValue)),
            doc: "how the key is sent: x-api-key (Anthropic) or bearer (gateways wanting Authorization: Bearer)"),
        key("model.allow_insecure_http", \.model.allowInsecureHTTP,
            doc: "allow an http:// base URL on a host other than loopback (the API key then travels in clear)"),
        key("model.concurrency", \.model.concurrency, concurrency, doc: "requests in flight at once"),
        key("model.timeout_seconds", \.model.timeoutSeconds, timeoutSeconds,
            doc: "the longest one request may take, answer included"),
        key("model.retries", \.model.retries, retries,
            doc: "retries of a rate-limited, overloaded or unanswered request after the first attempt"),

        key("review.task_lines", \.review.taskLines, taskLines, doc: "changed lines per review task"),
        key("review.verify", \.review.verify, doc: "run the verification pass over every finding"),
        key("review.severity_floor", \.review.severityFloor, .choices(Severity.allCases.map(\.rawValue)),
            doc: "findings below this severity are dropped (and counted)"),
        key("review.max_findings_per_patch", \.review.maxFindingsPerPatch, findingsPerPatch,
            doc: "findings kept per patch, highest severity first; the rest are counted as over the cap"),
        key("review.budget_tokens", \.review.budgetTokens, budgetTokens,
            doc: "stop the run cleanly after this many tokens (0: no limit)"),
        key("review.budget_usd", \.review.budgetUSD, budgetUSD,
            doc: "stop the run cleanly when its estimated cost reaches this many dollars (0: no limit)"),
        key("review.confirm_above_usd", \.review.confirmAboveUSD, budgetUSD,
            doc: "ask before a review estimated above this many dollars; off a terminal refuse unless --yes or --budget"),
        key("review.earlier_rounds", \.review.earlierRounds, earlierRounds,
            doc: "for a v2 or later, read this many earlier revisions' review threads from lore (0: none)"),
        key("review.known_bots", \.review.knownBots,
            doc: "AI reviewers' addresses (name@host, @domain, or part of one): their comments are not repeated"),
        key("review.bot_disclosures", \.review.botDisclosures,
            doc: "lines that make a reply an AI review whoever sends it"),

        key("tree.max_tool_turns", \.tree.maxToolTurns, toolTurns,
            doc: "turns of context-tool calls a task may take before report_findings is forced"),
        key("tree.path", \.tree.path,
            doc: "a local git checkout of the kernel (or any C project) whose code the review reads; never changed"),
        key("tree.context_tokens", \.tree.contextTokens, contextTokens,
            doc: "tokens of code from the tree per task: functions around the hunks, callers, definitions, helpers"),
        key("tree.caller_depth", \.tree.callerDepth, callerDepth,
            doc: "levels of callers in a task's context: 1 the callers of each changed function, 2 theirs too"),

        key("syzbot.enabled", \.syzbot.enabled,
            doc: "fetch the syzbot bugs a patch says it fixes (Reported-by: syzbot+..., Closes:/Link: to the dashboard)"),
        key("syzbot.url", \.syzbot.url, .url(schemes: ["https", "http"]), doc: "the syzbot dashboard"),
        key("syzbot.timeout_seconds", \.syzbot.timeoutSeconds, timeoutSeconds,
            doc: "seconds of silence before the dashboard is given up on (the review goes on without the report)"),

        key("watch.poll_seconds", \.watch.pollSeconds, pollSeconds,
            doc: "seconds between two reads of a lore feed (or an IMAP folder whose server has no IDLE)"),
        key("watch.settle_minutes", \.watch.settleMinutes, settleMinutes,
            doc: "an incomplete series is reviewed this long after its first part, its missing slots noted"),
        key("watch.concurrency", \.watch.concurrency, watchConcurrency, doc: "series reviewed at once"),
        key("watch.daily_budget_usd", \.watch.dailyBudgetUSD, budgetUSD,
            doc: "dollars a day all watch reviews may cost (0: no limit); beyond it series wait for the next day"),
        key("watch.me", \.watch.me, doc: "my addresses, comma-separated: only series sent To or Cc one of them"),
        key("watch.list_ids", \.watch.listIDs, doc: "List-Id values, comma-separated: only series on these lists"),
        key("watch.subject", \.watch.subject, doc: "only series whose subject this regular expression finds"),
        key("watch.skip_authors", \.watch.skipAuthors, doc: "authors' addresses never reviewed, comma-separated"),
        key("watch.files", \.watch.files, doc: "MAINTAINERS F: style patterns, comma-separated: only series touching them"),
        key("watch.maintainers", \.watch.maintainers, doc: "a MAINTAINERS file whose watch.entry gives the file patterns"),
        key("watch.entry", \.watch.entry, doc: "the MAINTAINERS entry (its title, e.g. SOUND) whose F:/X:/N: lines filter"),

        key("drafts.from", \.drafts.from, doc: "Name <email> the drafts are from"),
        key("drafts.disclosure", \.drafts.disclosure, doc: "the line that opens every draft (empty: none)"),
        key("drafts.signature", \.drafts.signature, doc: "appended after '-- ' when set"),
        key("drafts.cc_original_recipients", \.drafts.ccOriginalRecipients, doc: "Cc the patch's original To and Cc"),
        key("drafts.include_unverified", \.drafts.includeUnverified,
            doc: "also draft findings the verification pass did not check (they are always in report.md)"),
        key("drafts.cover_reply_min_patches", \.drafts.coverReplyMinPatches, coverReplyPatches,
            doc: "draft a summary reply to the cover letter for series of this many patches or more (0: never)"),
    ] }

    /// Keys by section, then field, for reading the file.
    static var sections: [String: [String: ConfigKey]] {
        var result: [String: [String: ConfigKey]] = [:]
        for key in keys {
            if let section = key.section { result[section, default: [:]][key.field] = key }
        }
        return result
    }

    static var topLevel: [String: ConfigKey] {
        Dictionary(keys.filter { $0.section == nil }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `[prices."model"]` fields, for the dump and validation.
    static var priceFields: [(name: String, doc: String, value: (ModelPrice) -> Double)] { [
        ("input", "dollars per million input tokens", \.input),
        ("output", "dollars per million output tokens", \.output),
        ("cache_write", "dollars per million tokens written to the prompt cache", \.cacheWrite),
        ("cache_read", "dollars per million tokens read from the prompt cache", \.cacheRead),
    ] }
}

extension Configuration {
    /// Every setting outside its allowed values, in dump order. `config dump` shows them;
    /// every other command refuses to start.
    public func problems(environment: [String: String] = [:]) -> [ConfigProblem] {
        var found: [ConfigProblem] = []
        for key in ConfigSchema.keys {
            let value = key.value(self)
            if !key.allowed.admits(value) {
                found.append(ConfigProblem(key: key.name, value: Self.render(value, secret: key.secret),
                                           allowed: key.allowed.description,
                                           origin: key.name == "model.base_url" ? baseURLOrigin(environment) : nil))
            }
        }
        if let insecure = insecureBaseURLProblem(environment: environment) { found.append(insecure) }
        for model in prices.keys.sorted() {
            for field in ConfigSchema.priceFields {
                let v = field.value(prices[model]!)
                if !(v.isFinite && ConfigSchema.pricePerMillion.contains(v)) {
                    found.append(ConfigProblem(key: "prices.\"\(model)\".\(field.name)", value: Self.number(v),
                                               allowed: AllowedValues.numbers(ConfigSchema.pricePerMillion).description))
                }
            }
        }
        return found
    }

    private func baseURLOrigin(_ environment: [String: String]) -> String? {
        environment["ANTHROPIC_BASE_URL"].map { $0.isEmpty ? nil : "ANTHROPIC_BASE_URL" } ?? nil
    }

    /// The key must not travel in clear: `http://` is for loopback gateways and test
    /// servers unless `[model] allow_insecure_http` says otherwise.
    func insecureBaseURLProblem(environment: [String: String]) -> ConfigProblem? {
        guard !model.allowInsecureHTTP, let components = URLComponents(string: model.baseURL),
              components.scheme?.lowercased() == "http", let host = components.host,
              !Self.isLoopback(host) else { return nil }
        return ConfigProblem(key: "model.base_url", value: Self.maskingCredentials(model.baseURL),
                             allowed: "https, or http to loopback only: the API key would travel in clear "
                                + "(set [model] allow_insecure_http = true to allow it)",
                             origin: baseURLOrigin(environment))
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `scheme://user:password@host/...` with the user information replaced by the mask.
    static func maskingCredentials(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + mask + "@" + String(url[url.index(after: at)...])
    }

    /// Numbers as the file would write them: integral values with one decimal, others in
    /// the shortest form that reads back to the same value (`0.3`, not `0.30000000000000004`
    /// as long as the value is the one `0.3` denotes).
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "nan" : (d < 0 ? "-inf" : "inf") }
        return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += String(format: "\\u%04X", c.value)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    static func render(_ value: ConfigValue?, secret: Bool = false) -> String {
        switch value {
        case nil: "(not set)"
        case .string(let s)?: quoted(secret ? mask : s)
        case .integer(let i)?: "\(i)"
        case .number(let d)?: number(d)
        case .boolean(let b)?: "\(b)"
        case .strings(let list)?: "[" + list.map { quoted($0) }.joined(separator: ", ") + "]"
        }
    }
}

extension Configuration {
    /// `--task-lines` takes what `[review] task_lines` takes.
    public static var taskLinesRange: ClosedRange<Double> {
        Double(ConfigSchema.taskLines.lowerBound)...Double(ConfigSchema.taskLines.upperBound)
    }

    /// `--budget` takes what `[review] budget_usd` takes.
    public static var budgetRange: ClosedRange<Double> { ConfigSchema.budgetUSD }
}
