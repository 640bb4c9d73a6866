import CurlKit
import Foundation
import LoopbackServers
@testable import MailSources
import Testing

@Suite struct LoreFetchTests {
    let client = CurlClient()
    let cover = "20211028183527.3050-1-semen.protsenko@linaro.org"

    func lore(_ base: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialDelay: 0.01),
              timeouts: TransferTimeouts = TransferTimeouts(connect: 2, total: 5), cache: URL? = nil) -> LoreClient {
        LoreClient(client: client, configuration: LoreConfiguration(baseURL: base, timeouts: timeouts, retry: retry,
                                                                    cacheDirectory: cache))
    }

    func fetchedBytes(_ source: String, base: String) async throws -> Data {
        let fetched = try await MailFetcher(lore: lore(base)).fetch(try SourceSpec.parse(source, fileExists: { _ in false }))
        return fetched.mboxrd()
    }

    @Test func coverIDIsInTheFixture() throws {
        #expect(try Fixtures.lore().messageIDs(inThread: 0).first == cover)
    }

    @Test func everySourceFormYieldsTheFixtureBytes() async throws {
        let fake = try Fixtures.lore()
        let server = try fake.start()
        defer { server.stop() }
        let expected = try Fixtures.data(Fixtures.exynosV1)
        let reply = fake.messageIDs(inThread: 0)[5]
        let base = server.baseURL
        let escaped = MessageID.pathEscaped(reply).replacingOccurrences(of: "@", with: "%40")
        for source in [
            cover, "<\(cover)>", reply,
            "\(base)/linux-watchdog/\(cover)/", "\(base)/linux-watchdog/\(cover)",
            "\(base)/all/\(reply)/", "\(base)/r/\(reply)", "\(base)/linux-watchdog/\(reply)/T/#u",
            "\(base)/linux-watchdog/\(reply)/t/", "\(base)/linux-watchdog/\(reply)/raw",
            "\(base)/linux-watchdog/\(cover)/t.mbox.gz", "\(base)/linux-watchdog/\(cover)/#m1",
            "\(base)/linux-watchdog/\(escaped)/", "https://patch.msgid.link/\(cover)",
        ] {
            let bytes = try await fetchedBytes(source, base: base)
            #expect(bytes == expected, "source \(source)")
        }
        #expect(server.requests.allSatisfy { $0.path.hasSuffix("/t.mbox.gz") })
    }

    @Test func mboxrdEscapingSurvivesTheTrip() async throws {
        let fake = try Fixtures.lore()
        let server = try fake.start()
        defer { server.stop() }
        let id = fake.messageIDs(inThread: 2)[0]
        let bytes = try await fetchedBytes(id, base: server.baseURL)
        #expect(bytes == (try Fixtures.data(Fixtures.fromLine)))
        #expect(String(decoding: bytes, as: UTF8.self).contains("\n>From experiments"))
    }

    @Test func lorePathsBehaveLikePublicInbox() async throws {
        let fake = try Fixtures.lore()
        let server = try fake.start()
        defer { server.stop() }
        let base = server.baseURL
        let noFollow = try await client.send(HTTPRequest(url: "\(base)/linux-watchdog/\(cover)", maxRedirects: 0))
        #expect(noFollow.status == 301)
        #expect(noFollow.headers["Location"] == "/linux-watchdog/\(cover)/")
        let viaR = try await client.send(HTTPRequest(url: "\(base)/r/\(cover)"))
        #expect(viaR.effectiveURL == "\(base)/linux-watchdog/\(cover)/")
        let gz = try await client.send(HTTPRequest(url: "\(base)/all/\(cover)/t.mbox.gz"))
        #expect(gz.headers["Content-Type"] == "application/gzip")
        #expect(gz.headers["Content-Encoding"] == nil)
        #expect(try Gzip.decompress(gz.body) == (try Fixtures.data(Fixtures.exynosV1)))
        let raw = try await client.send(HTTPRequest(url: "\(base)/linux-watchdog/\(cover)/raw"))
        #expect(raw.body == fake.rawMessage(cover))
        #expect(raw.body.starts(with: Data("From mboxrd@z Thu Jan  1 00:00:00 1970\n".utf8)))
        let wrongList = try await client.send(HTTPRequest(url: "\(base)/netdev/\(cover)/t.mbox.gz"))
        #expect(wrongList.status == 404)
    }

    @Test func unknownMessageIDIsAClear404() async throws {
        let server = try Fixtures.lore().start()
        defer { server.stop() }
        await #expect {
            try await lore(server.baseURL).thread(LoreThreadReference(messageID: "nope@example.org"))
        } throws: { "\($0)" == "no thread for <nope@example.org> at \(server.baseURL)" }
    }

    @Test func serverErrorThenSuccessIsRetried() async throws {
        let fake = try Fixtures.lore()
        let script = ResponseSequence([.text("busy", status: 503), .text("oops", status: 500)])
        let failures = Locked(0)
        let server = try HTTPServer { request in
            if failures.withLock({ count -> Bool in count += 1; return count <= 2 }) { return script.next() }
            return fake.respond(to: request)
        }
        defer { server.stop() }
        let mail = try await lore(server.baseURL).thread(LoreThreadReference(messageID: cover))
        #expect(mail.mboxrd() == (try Fixtures.data(Fixtures.exynosV1)))
        #expect(server.requests.count == 3)
    }

    @Test func persistentServerErrorsGiveUpAfterTheConfiguredAttempts() async throws {
        let server = try HTTPServer { _ in .text("down", status: 502) }
        defer { server.stop() }
        await #expect {
            try await lore(server.baseURL).thread(LoreThreadReference(messageID: cover))
        } throws: { "\($0)" == "\(server.baseURL) answered http 502 for <\(cover)> after 3 attempts" }
        #expect(server.requests.count == 3)
    }

    @Test func slowAnswerExceedsTheTimeout() async throws {
        let fake = try Fixtures.lore()
        let server = try HTTPServer { request in
            var response = fake.respond(to: request)
            // Far longer than the timeout, so only a timeout that works ends the wait early;
            // the bound below is loose because a loaded machine is slow, not hung.
            response.delay = 40
            return response
        }
        defer { server.stop() }
        // The answer, 40 s later, would be a success: only the 1 s timeout can end the
        // fetch with this error. (Not timed here: an `await` resumes late when the whole
        // test run keeps the cooperative pool busy, which says nothing about the timeout.)
        await #expect {
            try await lore(server.baseURL, timeouts: TransferTimeouts(connect: 1, total: 1))
                .thread(LoreThreadReference(messageID: cover))
        } throws: { "\($0)".hasPrefix("timed out after 1s waiting for 127.0.0.1:") }
        #expect(server.requests.count == 1)  // a spent time budget is not retried
    }

    @Test func neverAnsweringServerAndUnknownHost() async throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        await #expect {
            try await lore("http://127.0.0.1:\(silent.port)", timeouts: TransferTimeouts(connect: 1, total: 1))
                .thread(LoreThreadReference(messageID: cover))
        } throws: { "\($0)".hasPrefix("timed out after 1s waiting for 127.0.0.1:\(silent.port)") }
        await #expect {
            try await lore("http://lore.invalid").thread(LoreThreadReference(messageID: cover))
        } throws: { "\($0)" == "could not resolve host lore.invalid (fetching <\(cover)> from http://lore.invalid)" }
    }

    @Test func cacheServesRepeatsUnlessBypassed() async throws {
        let server = try Fixtures.lore().start()
        defer { server.stop() }
        let cache = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let cached = lore(server.baseURL, cache: cache)
        let first = try await cached.thread(LoreThreadReference(messageID: cover))
        let second = try await cached.thread(LoreThreadReference(messageID: cover))
        #expect(first.mboxrd() == second.mboxrd())
        #expect(server.requests.count == 1)
        #expect(second.notes.first?.hasPrefix("using the cached copy") == true)
        _ = try await lore(server.baseURL).thread(LoreThreadReference(messageID: cover))
        #expect(server.requests.count == 2)
        #expect(LoreClient.safeName("../x/y") == "m-..%2Fx%2Fy")
    }

    @Test func checkNewerFindsV2ThroughPostSearch() async throws {
        let server = try Fixtures.lore().start()
        defer { server.stop() }
        let client = lore(server.baseURL)
        let v1 = try await client.thread(LoreThreadReference(messageID: cover, list: "linux-watchdog"))
        let newer = try await client.newerRevisions(of: v1.mboxrd(), list: "linux-watchdog")
        #expect(!newer.isEmpty)
        #expect(newer.allSatisfy { $0.revision == 2 && $0.subject.contains("[PATCH v2") })
        let search = try #require(server.requests.last)
        #expect(search.method == "POST")
        #expect(search.queryItems.contains { $0.name == "q" && $0.value.hasPrefix("s:\"watchdog: s3c2410: Add Exynos850 support\" AND d:2021") })
        #expect(search.formItems.contains { $0.name == "x" && $0.value == "m" })
        let v2 = try await client.thread(LoreThreadReference(messageID: FakeLoreIDs.firstV2(try Fixtures.lore())))
        #expect(try await client.newerRevisions(of: v2.mboxrd(), list: "linux-watchdog").isEmpty)
    }
}

enum FakeLoreIDs {
    static func firstV2(_ lore: FakeLore) -> String { lore.messageIDs(inThread: 1)[0] }
}
