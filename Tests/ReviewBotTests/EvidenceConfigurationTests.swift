import Foundation
import Testing
@testable import ReviewBotKit

@Suite struct EvidenceConfigurationTests {
    @Test func theEvidenceKeysAreReadDumpedAndReadBack() throws {
        var config = Configuration()
        let warnings = try config.apply(toml: """
            [syzbot]
            url = "http://127.0.0.1:9000"
            timeout_seconds = 5
            [review]
            earlier_rounds = 1
            known_bots = ["review-bot@example.org", "@ai.example"]
            bot_disclosures = "Reviewed by a machine"
            """, file: "c.toml")
        #expect(warnings.isEmpty)
        #expect(config.syzbot.url == "http://127.0.0.1:9000" && config.syzbot.timeoutSeconds == 5 && config.syzbot.enabled)
        #expect(config.review.earlierRounds == 1)
        #expect(config.review.knownBots == ["review-bot@example.org", "@ai.example"])
        #expect(config.review.botDisclosures == ["Reviewed by a machine"])
        #expect(config.reviewerPolicy.classify(sender: .init(name: "", email: "x@ai.example"), body: "") == .aiBot)

        let dump = config.dump(environment: [:])
        #expect(dump.contains("[syzbot]\n# fetch the syzbot bugs"))
        #expect(dump.contains("known_bots = [\"review-bot@example.org\", \"@ai.example\"]"))
        var again = Configuration()
        _ = try again.apply(toml: dump, file: "dump.toml")
        #expect(again == config)
    }

    @Test func outOfRangeAndWrongTypesAreRefused() throws {
        var config = Configuration()
        _ = try config.apply(toml: "[review]\nearlier_rounds = 99\n[syzbot]\nurl = \"ftp://x\"\n", file: "c.toml")
        #expect(Set(config.problems().map(\.key)) == ["review.earlier_rounds", "syzbot.url"])
        var other = Configuration()
        #expect(throws: ReviewBotError.self) { _ = try other.apply(toml: "[review]\nknown_bots = [1]\n", file: "c.toml") }
    }

    @Test func syzbotOffMeansNoClient() throws {
        var config = Configuration()
        config.syzbot.enabled = false
        #expect(try config.syzbotConfiguration(environment: ["HOME": "/tmp"]) == nil)
        config.syzbot.enabled = true
        let on = try #require(try config.syzbotConfiguration(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/c"]))
        #expect(on.cacheDirectory?.path == "/c/reviewbot/syzbot")
        #expect(try config.syzbotConfiguration(flags: SourceFlags(noCache: true), environment: ["HOME": "/h"])?.cacheDirectory == nil)
    }
}
