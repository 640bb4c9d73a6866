import FixEvidence
import Foundation
import MailSources
import ReviewEngine

/// The effective configuration: defaults, then the TOML file, then command-line flags.
/// One `Sendable` value passed down to every module; nothing reads settings globally.
public struct Configuration: Sendable, Equatable {
    public struct Lore: Sendable, Equatable {
        /// Base URL of the public-inbox instance (mirrors and private instances work).
        public var url = "https://lore.kernel.org"
        /// Keep fetched threads under the XDG cache directory.
        public var cache = true
        public var timeoutSeconds = 60
        public var retries = 3
    }

    public struct IMAP: Sendable, Equatable {
        /// Runs through /bin/sh; the first line of its output is the password. The
        /// password itself may also come from REVIEWBOT_IMAP_PASSWORD, never from argv.
        public var passwordCommand: String?
        /// Default search: subjects containing PATCH received in the last `days` days.
        public var days = 14
        /// A raw IMAP SEARCH criterion replacing the default one.
        public var search: String?
        /// Plain IMAP without TLS; meant for a loopback test server only.
        public var allowPlaintext = false
        /// Extra CA certificate (PEM) to trust, for self-hosted servers.
        public var caFile: String?
        public var timeoutSeconds = 30
        /// How long `password_command` may run before it is stopped
        /// (`ConfigSchema.passwordCommandSeconds`).
        public var passwordCommandTimeoutSeconds = Int(PasswordCommand.defaultTimeout)
    }

    public struct SMTP: Sendable, Equatable {
        /// `smtps://host:465` or `smtp://host:587` (STARTTLS required unless allowed).
        public var url: String?
        public var user: String?
        /// Same contract as the IMAP one; or REVIEWBOT_SMTP_PASSWORD.
        public var passwordCommand: String?
        public var allowPlaintext = false
        public var timeoutSeconds = 60
        /// As `[imap] password_command_timeout_seconds`.
        public var passwordCommandTimeoutSeconds = Int(PasswordCommand.defaultTimeout)
    }

    public struct Model: Sendable, Equatable {
        public var name = "claude-sonnet-4-5"
        public var maxTokens = 8_192
        /// A cut answer is retried once with this much room before it is reported.
        public var maxTokensCeiling = 32_000
        /// ANTHROPIC_BASE_URL overrides this, as in Anthropic's SDKs.
        public var baseURL = "https://api.anthropic.com"
        /// `x-api-key` (Anthropic) or `bearer` (gateways that want Authorization: Bearer).
        public var auth = "x-api-key"
        /// Allow `http://` to a host other than loopback; off because the key would
        /// travel in clear.
        public var allowInsecureHTTP = false
        public var concurrency = 4
        public var timeoutSeconds = 600
        public var retries = 4
    }

    public struct Review: Sendable, Equatable {
        /// Changed lines per review task (peers use about 250).
        public var taskLines = 250
        public var verify = true
        /// Findings below this severity are dropped: low, medium or high.
        public var severityFloor = "low"
        public var maxFindingsPerPatch = 8
        /// Stop the run cleanly when it has used this many tokens (0: no limit).
        public var budgetTokens = 0
        /// Stop the run cleanly when its estimated cost reaches this (0: no limit). Five
        /// dollars by default: the largest fixture series (12 patches) costs about twenty
        /// cents, so only a runaway source (a whole mailbox) gets near it.
        public var budgetUSD = 5.0
        /// Ask before a review whose estimate is above this; off a terminal, refuse unless
        /// `--yes` or `--budget` is given. A dollar is several ordinary series.
        public var confirmAboveUSD = 1.0
        /// Earlier revisions whose review threads are read from lore for a v2 or later (0: none).
        public var earlierRounds = 3
        /// AI reviewers' addresses (`name@host`, `@domain`, or part of an address): their
        /// comments are shown to the model as a bot's, and a finding repeating one is dropped.
        public var knownBots = ReviewerPolicy.defaultKnownBots
        /// Lines that mark a reply as an AI review whoever sends it.
        public var botDisclosures = ReviewerPolicy.defaultDisclosures
    }

    public struct Drafts: Sendable, Equatable {
        /// `Name <email>` of the reviewer; drafts are From this address.
        public var from: String?
        /// Opens every reply; lists that accept AI-assisted review expect it.
        public var disclosure = "This review was drafted with an AI assistant and checked by the sender."
        /// Appended after `-- ` when set.
        public var signature: String?
        /// Cc the original To and Cc of the patch.
        public var ccOriginalRecipients = true
        /// Draft findings that no verification pass checked (`--no-verify`, or the budget
        /// ran out before it); by default they stay in report.md and findings.json only.
        public var includeUnverified = false
        /// A summary reply to the cover letter for series of at least this many patches
        /// (0: never); a short series reads fine from the per-patch replies alone.
        public var coverReplyMinPatches = 3
    }

    /// `[tree]`: reading a kernel tree during the review.
    public struct Tree: Sendable, Equatable {
        /// Turns of context-tool calls a task may take before `report_findings` is forced.
        public var maxToolTurns = 6
        /// A local git checkout of the kernel (or any C project); `--tree` overrides it.
        /// Nil: the review reads the diffs alone.
        public var path: String?
        /// Tokens (UTF-8 bytes / 4) of code context per task: the functions around the
        /// hunks, their callers, the definitions and helpers the changed lines use. About
        /// three kernel functions before and after, their callers and the types they use.
        public var contextTokens = 12_000
        /// How far up the call graph the context goes: 1 lists the callers of each changed
        /// function, 2 their callers too (at most 3).
        public var callerDepth = 1
    }

    public var lore = Lore()
    public var imap = IMAP()
    public var smtp = SMTP()
    public var model = Model()
    public var review = Review()
    public var syzbot = Syzbot()
    public var drafts = Drafts()
    public var tree = Tree()
    public var watch = Watch()
    /// Directory whose prompt files replace or add to the bundled ones.
    public var promptsDirectory: String?
    /// Dollars per million tokens, keyed by model name (a key also prices longer names it
    /// is a prefix of). The defaults are the engine's list prices; the config file
    /// overrides them.
    public var prices: [String: ModelPrice] = PriceTable.defaults.prices

    public init() {}
}
