import CurlKit
import FixEvidence
import Foundation

extension Configuration {
    /// `[syzbot]`: where the dashboard is, for patches that say they fix a syzbot report.
    public struct Syzbot: Sendable, Equatable {
        /// Fetch the bugs a patch's `Reported-by:`/`Closes:`/`Link:` name.
        public var enabled = true
        /// The dashboard (mirrors and tests set their own).
        public var url = SyzbotConfiguration.defaultBaseURL
        public var timeoutSeconds = 30
    }

    /// How the dashboard is reached: `[syzbot]`, the cache under the XDG cache directory
    /// (`--no-cache` and `[lore] cache = false` bypass it too), the CA file of `--ca-file`.
    /// Nil when syzbot lookups are off.
    public func syzbotConfiguration(flags: SourceFlags = SourceFlags(),
                                    environment: [String: String]) throws -> SyzbotConfiguration? {
        guard syzbot.enabled else { return nil }
        let seconds = try Self.positive(Double(syzbot.timeoutSeconds), "syzbot.timeout_seconds")
        let cache = flags.noCache || !lore.cache ? nil
            : URL(fileURLWithPath: XDGDirectories(environment: environment).cache).appendingPathComponent("syzbot")
        return SyzbotConfiguration(baseURL: syzbot.url, timeouts: Self.timeouts(seconds), cacheDirectory: cache,
                                   tls: TLSOptions(caFile: flags.caFile))
    }

    /// Which replies are an AI reviewer's: `[review] known_bots` and `bot_disclosures`.
    public var reviewerPolicy: ReviewerPolicy {
        ReviewerPolicy(knownBots: review.knownBots, disclosures: review.botDisclosures)
    }
}
