import CurlKit
import Foundation
import LoopbackServers
@testable import MailSources
import Testing

@Suite struct EarlierRevisionsTests {
    let client = CurlClient()

    func lore(_ base: String) -> LoreClient {
        LoreClient(client: client, configuration: LoreConfiguration(
            baseURL: base, timeouts: TransferTimeouts(connect: 2, total: 10), retry: RetryPolicy(maxAttempts: 1)))
    }

    @Test func theV1OfTheExynosSeriesIsFoundByItsTitle() async throws {
        let server = try Fixtures.lore().start()
        defer { server.stop() }
        let found = try await lore(server.baseURL).earlierRevisions(
            title: "watchdog: s3c2410: Add Exynos850 support", changeID: nil, before: 2, limit: 3)
        #expect(found.map(\.revision) == [1])
        #expect(found.first?.messageID == "20211028183527.3050-1-semen.protsenko@linaro.org")
        #expect(found.first?.subject.hasPrefix("[PATCH 0/7]") == true)
        #expect(try await lore(server.baseURL).earlierRevisions(
            title: "watchdog: s3c2410: Add Exynos850 support", changeID: nil, before: 1, limit: 3).isEmpty)
    }

    /// The title changed between revisions; b4's change-id did not.
    @Test func aRenamedSeriesIsFoundByItsChangeID() async throws {
        func mail(_ id: String, _ subject: String, _ changeID: String) -> String {
            """
            From mboxrd@z Thu Jan  1 00:00:00 1970
            From: Jane Author <jane@example.org>
            Subject: \(subject)
            Date: Mon, 01 Jan 2024 10:00:00 +0000
            Message-ID: <\(id)>

            Text.

            Signed-off-by: Jane Author <jane@example.org>
            ---
            diff --git a/a.c b/a.c
            --- a/a.c
            +++ b/a.c
            @@ -1 +1 @@
            -a
            +b
            --\u{20}
            change-id: \(changeID)

            """
        }
        let v1 = mail("v1@example.org", "[PATCH] foo: add the clock", "20240101-foo-clock-0123456789ab")
        let v2 = mail("v2@example.org", "[PATCH v2] foo: enable the bus clock in probe", "20240101-foo-clock-0123456789ab")
        let other = mail("x@example.org", "[PATCH] foo: add the clock", "20240101-other-999")
        let server = try FakeLore(threads: [.init(list: "linux-foo", mbox: Data((v1 + "\n").utf8)),
                                            .init(list: "linux-foo", mbox: Data((v2 + "\n").utf8)),
                                            .init(list: "linux-foo", mbox: Data((other + "\n").utf8))]).start()
        defer { server.stop() }
        let found = try await lore(server.baseURL).earlierRevisions(
            title: "foo: enable the bus clock in probe", changeID: "20240101-foo-clock-0123456789ab", before: 2, limit: 3)
        #expect(found.map(\.messageID) == ["v1@example.org"])
        let query = try #require(server.requests.first?.queryItems.first { $0.name == "q" }?.value)
        #expect(query == "nq:\"change-id: 20240101-foo-clock-0123456789ab\"")
        // A change-id that is not a plain token never reaches a query.
        _ = try await lore(server.baseURL).earlierRevisions(title: "t", changeID: "x\" OR s:\"y", before: 2, limit: 3)
        #expect(!(server.requests.last?.queryItems.first { $0.name == "q" }?.value.contains("OR") ?? true))
    }
}
