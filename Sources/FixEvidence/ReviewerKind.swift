import Foundation
import MboxParser

/// Which replies are review by a person, review by an AI, or neither.
public struct ReviewerPolicy: Sendable, Hashable {
    /// Addresses of AI reviewers (`[review] known_bots`): an entry with `@` is an address,
    /// one starting with `@` a whole domain, any other text a substring of the address.
    public var knownBots: [String]
    /// Lines that mark a reply as an AI review whoever sends it (`[review] bot_disclosures`):
    /// netdev's maintainers forward AI reviews from their own addresses.
    public var disclosures: [String]

    /// Sashiko's bot address, and the netdev AI review bot's.
    public static let defaultKnownBots = ["sashiko-bot@kernel.org", "@sashiko.dev", "@netdev-ai.bots.linux.dev"]
    /// The opening lines AI reviews carry on the lists today (netdev's forwarded reviews,
    /// Sashiko's footer), and our own default disclosure.
    public static let defaultDisclosures = [
        "This is an AI-generated review of your patch",
        "Sashiko AI review",
        "This review was drafted with an AI assistant",
    ]

    /// Robots that are not reviewers at all: test and tracking bots whose mail carries no
    /// review of the code (the kernel test robot reports build results, syzbot crashes).
    static let robots: Set<String> = [
        "lkp@intel.com", "pr-tracker-bot@kernel.org", "noreply@kernelci.org", "bot@kernelci.org",
    ]

    public init(knownBots: [String] = ReviewerPolicy.defaultKnownBots,
                disclosures: [String] = ReviewerPolicy.defaultDisclosures) {
        self.knownBots = knownBots
        self.disclosures = disclosures
    }

    public enum Kind: Sendable, Hashable {
        case human
        case aiBot
        /// Test, tracking and patchwork robots, and syzbot: not review.
        case robot
    }

    public func classify(sender: MailAddress?, body: String) -> Kind {
        let email = sender?.email.lowercased() ?? ""
        if Self.robots.contains(email) || email.hasPrefix("patchwork-bot") || email.hasPrefix("syzbot")
            || email.hasSuffix("@syzkaller.appspotmail.com") {
            return .robot
        }
        if isKnownBot(email) { return .aiBot }
        if carriesDisclosure(body) { return .aiBot }
        return .human
    }

    func isKnownBot(_ email: String) -> Bool {
        guard !email.isEmpty else { return false }
        return knownBots.contains { entry in
            let pattern = entry.lowercased().trimmingCharacters(in: .whitespaces)
            guard !pattern.isEmpty else { return false }
            if pattern.hasPrefix("@") { return email.hasSuffix(pattern) }
            if pattern.contains("@") { return email == pattern }
            return email.contains(pattern)
        }
    }

    /// A disclosure in the reply's own text: its unquoted lines, signature included (Sashiko
    /// signs below `-- `). A reply quoting someone else's AI review is not itself one.
    func carriesDisclosure(_ body: String) -> Bool {
        let own = body.split(separator: "\n").filter { !$0.hasPrefix(">") }.joined(separator: " ").lowercased()
        return disclosures.contains { !$0.isEmpty && own.contains($0.lowercased()) }
    }
}
