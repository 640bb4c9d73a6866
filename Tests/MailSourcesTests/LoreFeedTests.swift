import CurlKit
import Foundation
import LoopbackServers
@testable import MailSources
import Testing

/// A list's new.atom: parsed strictly within limits, fetched with conditional GETs.
@Suite struct LoreFeedTests {
    /// The shape public-inbox serves (trimmed: two entries, short bodies).
    static let sample = """
        <?xml version="1.0" encoding="us-ascii"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">\
        <title>linux-watchdog.vger.kernel.org archive mirror</title>\
        <link rel="alternate" type="text/html" href="https://lore.kernel.org/linux-watchdog/"/>\
        <link rel="self" href="https://lore.kernel.org/linux-watchdog/new.atom"/>\
        <id>mailto:linux-watchdog@vger.kernel.org</id><updated>2021-10-28T18:35:27Z</updated>
        <entry><author><name>Sam Protsenko</name><email>semen.protsenko@linaro.org</email></author>\
        <title>[PATCH 1/7] dt-bindings: watchdog: Require samsung,syscon-phandle for Exynos7</title>\
        <updated>2021-10-28T18:35:28Z</updated>\
        <link href="https://lore.kernel.org/linux-watchdog/20211028183527.3050-2-semen.protsenko@linaro.org/"/>\
        <id>urn:uuid:3d2f8f4e-0c4a-4b0e-8b7b-1f1c2f0d8a11</id>\
        <thr:in-reply-to ref="urn:uuid:00000000-0000-0000-0000-000000000001" \
        href="https://lore.kernel.org/linux-watchdog/20211028183527.3050-1-semen.protsenko@linaro.org/"/>\
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><pre style="white-space:pre-wrap">\
        Exynos7 &amp; later <b>need</b> it &#x263A;</pre></div></content></entry>
        <entry><author><name>Sam Protsenko</name><email>semen.protsenko@linaro.org</email></author>\
        <title>[PATCH 0/7] watchdog: s3c2410: Add Exynos850 support</title><updated>2021-10-28T18:35:27Z</updated>\
        <link href="https://lore.kernel.org/linux-watchdog/20211028183527.3050-1-semen.protsenko@linaro.org/"/>\
        <id>urn:uuid:00000000-0000-0000-0000-000000000001</id>\
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><pre>cover</pre></div></content></entry>
        </feed>
        """

    @Test func readsEntriesWithTheirMessageIDsAndParents() throws {
        let feed = try LoreFeed.parse(Data(Self.sample.utf8))
        #expect(feed.entries.count == 2)
        let first = try #require(feed.entries.first)
        #expect(first.messageID == "20211028183527.3050-2-semen.protsenko@linaro.org")
        #expect(first.title == "[PATCH 1/7] dt-bindings: watchdog: Require samsung,syscon-phandle for Exynos7")
        #expect(first.authorEmail == "semen.protsenko@linaro.org")
        #expect(first.inReplyTo == "20211028183527.3050-1-semen.protsenko@linaro.org")
        #expect(first.updated == ISO8601DateFormatter().date(from: "2021-10-28T18:35:28Z"))
        #expect(feed.entries[1].inReplyTo == nil)
    }

    @Test(arguments: [
        ("<!DOCTYPE feed [<!ENTITY a \"aaaa\">]><feed/>", "DTD"),
        ("<feed><entry></feed>", "closes"),
        ("<rss/>", "not <feed>"),
        ("<feed>&bogus;</feed>", "unknown entity"),
        ("<feed></feed><feed></feed>", "more than one root"),
        ("<feed><title>unterminated", "ends inside"),
    ])
    func refusesWhatIsNotAStrictFeed(document: String, reason: String) {
        #expect {
            _ = try LoreFeed.parse(Data(document.utf8))
        } throws: { error in
            (error as? LoreFeed.Problem)?.reason.contains(reason) == true
        }
    }

    @Test func nestingAndEntryCountsAreBounded() {
        let deep = "<feed>" + String(repeating: "<a>", count: LoreFeed.maxDepth + 1)
            + String(repeating: "</a>", count: LoreFeed.maxDepth + 1) + "</feed>"
        #expect(throws: LoreFeed.Problem.self) { try LoreFeed.parse(Data(deep.utf8)) }
        let many = "<feed>" + String(repeating: "<entry><link href=\"https://x/l/a@b/\"/></entry>",
                                     count: LoreFeed.maxEntries + 1) + "</feed>"
        #expect(throws: LoreFeed.Problem.self) { try LoreFeed.parse(Data(many.utf8)) }
        let longTitle = "<feed><entry><title>" + String(repeating: "x", count: LoreFeed.maxFieldCharacters + 1)
            + "</title></entry></feed>"
        #expect(throws: LoreFeed.Problem.self) { try LoreFeed.parse(Data(longTitle.utf8)) }
    }

    @Test func linksWithoutAMessageIDAreCountedNotGuessed() throws {
        let feed = try LoreFeed.parse(Data("""
            <feed><entry><link href="https://lore.kernel.org/netdev/"/></entry>\
            <entry><link href="https://lore.kernel.org/netdev/a%20b@c/"/></entry>\
            <entry><link href="https://lore.kernel.org/netdev/ok%2Fslash@example.org/"/></entry></feed>
            """.utf8))
        #expect(feed.unreadableEntries == 2)
        #expect(feed.entries.map(\.messageID) == ["ok/slash@example.org"])
    }

    @Test func pollingSendsTheValidatorsBackAndAcceptsA304() async throws {
        let lore = GrowingLore(list: "linux-watchdog")
        lore.publishAll(try Fixtures.data(Fixtures.exynosV1))
        let server = try lore.start()
        defer { server.stop() }
        let client = LoreClient(client: CurlClient(), configuration: LoreConfiguration(
            baseURL: server.baseURL, timeouts: TransferTimeouts(connect: 2, total: 5), retry: RetryPolicy(maxAttempts: 1)))
        let first = try await client.pollFeed(list: "linux-watchdog", validators: LoreFeedValidators())
        guard case .feed(let feed, let validators) = first else {
            Issue.record("no feed: \(first)")
            return
        }
        #expect(feed.entries.count == GrowingLore.feedEntries)
        #expect(validators.etag != nil)
        #expect(try await client.pollFeed(list: "linux-watchdog", validators: validators) == .notModified)
        #expect(lore.feedStats.notModified == 1)
        lore.failFeed(1)
        await #expect(throws: MailSourceError.self) {
            _ = try await client.pollFeed(list: "linux-watchdog", validators: validators)
        }
    }

    @Test func validatorsThatCouldBreakAHeaderAreDropped() {
        #expect(LoreFeedValidators.usable("\"abc\"") == "\"abc\"")
        #expect(LoreFeedValidators.usable("\"a\r\nX-Evil: 1\"") == nil)
        #expect(LoreFeedValidators.usable(String(repeating: "a", count: LoreFeedValidators.maxLength + 1)) == nil)
    }
}
