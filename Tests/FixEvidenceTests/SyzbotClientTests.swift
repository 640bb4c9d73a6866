import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import Testing
@testable import FixEvidence

@Suite struct SyzbotClientTests {
    @Test func referencesFromTrailers() {
        let trailers = [
            Trailer(name: "Reported-by", value: "syzbot+48240BAB47e705c53126@syzkaller.appspotmail.com"),
            Trailer(name: "Closes", value: "https://syzkaller.appspot.com/bug?extid=48240bab47e705c53126"),
            Trailer(name: "Link", value: "https://syzbot.org/bug?id=5d2d7ab3a1cf3fbd1f1f0e3a6d5b2f0c8e1b9a47"),
            Trailer(name: "Reported-by", value: "Jane Doe <jane@example.org>"),
            Trailer(name: "Closes", value: "https://evil.example/bug?extid=48240bab47e705c53127"),
            Trailer(name: "Link", value: "https://syzkaller.appspot.com/bug?extid=../../etc"),
        ]
        let found = SyzbotReference.all(in: trailers)
        #expect(found.map(\.description) == ["extid=48240bab47e705c53126", "id=5d2d7ab3a1cf3fbd1f1f0e3a6d5b2f0c8e1b9a47"])
        #expect(found.first?.line == "Reported-by: syzbot+48240BAB47e705c53126@syzkaller.appspotmail.com")
    }

    @Test func fetchesTheBugAndItsReport() async throws {
        let server = try FakeSyzbot(bugs: try SyzbotFixtures.bugs()).start()
        defer { server.stop() }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("syzbot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let client = SyzbotClient(client: CurlClient(), configuration: SyzbotConfiguration(
            baseURL: server.baseURL + "/", cacheDirectory: cache))
        let reference = try #require(SyzbotReference(key: .extid, value: SyzbotFixtures.nbdExtid, line: "Reported-by: x"))

        let evidence = try await client.evidence(for: reference)
        #expect(evidence.bug.title == "KASAN: slab-use-after-free Write in recv_work (2)")
        #expect(evidence.hasReproducer)
        #expect(evidence.reports.count == 1)
        #expect(evidence.reports.first?.crashClass == .kasanUseAfterFree)
        #expect(evidence.pageURL == server.baseURL + "/bug?extid=48240bab47e705c53126")
        #expect(server.requests.map(\.target) == [
            "/bug?extid=48240bab47e705c53126&json=1", "/text?tag=CrashReport&x=10a38768580000",
        ])
        let summary = evidence.summary
        #expect(summary.contains("Reproducer: C and syz reproducer"))
        #expect(summary.contains("Allocated by task 5940:\n  nbd_alloc_and_init_config (drivers/block/nbd.c:1659)"))
        #expect(summary.contains("Freed by task 67:\n  nbd_config_put (drivers/block/nbd.c:1449)"))
        #expect(!summary.contains("kasan_save_stack"))

        // A second fetch is served from the cache.
        _ = try await client.evidence(for: reference)
        #expect(server.requests.count == 2)
    }

    @Test(arguments: [FakeSyzbot.Mode.notFound, .serverError])
    func aFailingDashboardIsAnErrorNamingTheBug(mode: FakeSyzbot.Mode) async throws {
        let server = try FakeSyzbot(bugs: try SyzbotFixtures.bugs(), mode: mode).start()
        defer { server.stop() }
        let client = SyzbotClient(client: CurlClient(), configuration: SyzbotConfiguration(baseURL: server.baseURL))
        let reference = try #require(SyzbotReference(key: .extid, value: SyzbotFixtures.nbdExtid, line: ""))
        let error = await #expect(throws: FixEvidenceError.self) { try await client.evidence(for: reference) }
        #expect(error?.description.contains("extid=48240bab47e705c53126") == true)
        #expect(error?.kind == (mode == .notFound ? .notFound : .unavailable))
        // 500 is tried again once; 404 is not.
        #expect(server.requests.count == (mode == .notFound ? 1 : 2))
    }

    @Test func aReportLinkOffTheDashboardIsNotFollowed() throws {
        #expect(SyzbotBug.dashboardPath("/text?tag=CrashReport&x=12") == "/text?tag=CrashReport&x=12")
        #expect(SyzbotBug.dashboardPath("https://evil.example/x") == nil)
        #expect(SyzbotBug.dashboardPath("//evil.example/text?x=1") == nil)
        #expect(SyzbotBug.dashboardPath("/text?x=1\r\nHost: evil") == nil)
        #expect(SyzbotBug.dashboardPath("/admin") == nil)
        #expect(throws: FixEvidenceError.self) {
            try SyzbotBug.decode(Data("{\"title\": 3}".utf8), bug: SyzbotReference(key: .extid, value: "abcdef12", line: "")!)
        }
    }
}

@Suite struct SyzbotCacheTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("syzbot-cache-\(UUID().uuidString)")

    @Test func oldEntriesExpireAndTheDirectoryStaysBounded() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = SyzbotCache(root: root, baseURL: "https://syzkaller.appspot.com", maxBytes: 2_500)
        let bug = try #require(SyzbotReference(key: .extid, value: "48240bab47e705c53126", line: ""))
        cache.storeBug(bug, Data(repeating: 0x61, count: 1_000))
        #expect(cache.bug(bug)?.count == 1_000)
        // A day-old bug is fetched again; a day-old report is not.
        let bugFile = try #require(cache.directory?.appendingPathComponent("bug-extid-48240bab47e705c53126.json"))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -SyzbotCache.bugMaxAge - 60)],
                                              ofItemAtPath: bugFile.path)
        #expect(cache.bug(bug) == nil)
        cache.storeReport("/text?tag=CrashReport&x=aa", Data(repeating: 0x62, count: 1_000))
        cache.storeReport("/text?tag=CrashReport&x=bb", Data(repeating: 0x63, count: 1_000))
        // Three files of 1,000 bytes in 2,500: the oldest (the expired bug) went.
        #expect(!FileManager.default.fileExists(atPath: bugFile.path))
        #expect(cache.report("/text?tag=CrashReport&x=aa") != nil && cache.report("/text?tag=CrashReport&x=bb") != nil)
        // Paths of another shape are never files.
        #expect(SyzbotCache.reportName("/text?tag=../x&x=aa") == nil)
        #expect(SyzbotCache.reportName("/text?tag=CrashReport&x=zz") == nil)
    }
}
