import Foundation
import LoopbackServers
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// `reviewbot watch` on a lore list: the stand-in's new.atom grows while the watcher runs.
@Suite(.serialized) struct WatchLoreTests {
    @Test func twoNewSeriesGiveTwoReviewsAndRepliesAndResendsNone() async throws {
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        let lore = GrowingLore(list: "linux-sound")
        let server = try lore.start()
        defer { server.stop() }
        let stop = RunStop()
        let watcher = try harness.watcher([.lore(base: server.baseURL, list: "linux-sound")], stop: stop)
        let running = Task { try await watcher.run() }
        defer { stop.request("test over") }

        for message in SyntheticSeries.series(tag: "alpha") { lore.publish(message) }
        #expect(await WatchHarness.wait(seconds: 120) { harness.lines.all.count == 1 },
                "the first series is reviewed: \(harness.logLines.all)")
        for message in SyntheticSeries.series(tag: "beta", parts: 2) { lore.publish(message) }
        #expect(await WatchHarness.wait(seconds: 120) { harness.lines.all.count == 2 },
                "the second series is reviewed: \(harness.logLines.all)")

        // A reply, a resend of alpha under new Message-IDs, and alpha's patches posted
        // again as they were: none of them is reviewed.
        let calls = harness.fake.exchanges.count
        lore.publish(SyntheticSeries.reply(to: "alpha", part: 2, id: "alpha-reply@example.org"))
        for message in SyntheticSeries.series(tag: "alpha", prefix: "PATCH RESEND", idTag: "alpha-resend") {
            lore.publish(message)
        }
        let fed = lore.feedStats.requests
        #expect(await WatchHarness.wait(seconds: 10) { lore.feedStats.requests >= fed + 5 })
        try await Task.sleep(for: .seconds(1))
        #expect(harness.lines.all.count == 2, "\(harness.lines.all)")
        #expect(harness.fake.exchanges.count == calls, "no model call for a reply or a resend")
        #expect(harness.logLines.all.contains { $0.contains("skipped") && $0.contains("resend") })

        stop.request("test over")
        let result = try await running.value
        #expect(result.reviewed == 2)
        let lines = harness.lines.all
        #expect(lines[0].hasPrefix("v1 sound: alpha: fix the error paths: ") && lines[0].contains(" medium"), "\(lines[0])")
        #expect(lines[1].contains("sound: beta: fix the error paths"))
        #expect(harness.reviewDirectories.count == 2)
        for directory in harness.reviewDirectories {
            let files = try FileManager.default.contentsOfDirectory(atPath: harness.out.appendingPathComponent(directory).path)
            #expect(files.contains("drafts.mbox") && files.contains("report.md"), "\(directory): \(files)")
        }
    }

    @Test func aFailingFeedIsBackedOffAndWatchingGoesOn() async throws {
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        let lore = GrowingLore(list: "linux-sound")
        let server = try lore.start()
        defer { server.stop() }
        lore.failFeed(3, status: 500)
        let stop = RunStop()
        let watcher = try harness.watcher([.lore(base: server.baseURL, list: "linux-sound")], stop: stop)
        let started = Date()
        let running = Task { try await watcher.run() }
        defer { stop.request("test over") }
        for message in SyntheticSeries.series(tag: "gamma") { lore.publish(message) }
        #expect(await WatchHarness.wait(seconds: 60) { harness.lines.all.count == 1 }, "reviewed once the feed recovers")
        // 0.1 s poll: backoffs of 0.2, 0.4 and 0.8 s before the fourth request succeeds.
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 1.4, "three failures were backed off exponentially (\(waited) s)")
        let warnings = harness.logLines.all.filter { $0.contains("http 500") }
        #expect(warnings.count == 3, "\(harness.logLines.all)")
        #expect(warnings.map { $0.contains("trying again in") } == [true, true, true])
        stop.request("test over")
        let result = try await running.value
        #expect(result.failedReads == 3)
        #expect(result.reviewed == 1)
    }

    @Test func aRestartReviewsNothingAgainAndOnceExits() async throws {
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        let lore = GrowingLore(list: "linux-sound")
        let server = try lore.start()
        defer { server.stop() }
        for message in SyntheticSeries.series(tag: "delta") { lore.publish(message) }
        let source = WatchSourceSpec.lore(base: server.baseURL, list: "linux-sound")
        let first = try await harness.watcher([source], once: true, stop: RunStop()).run()
        #expect(first.reviewed == 1)
        let calls = harness.fake.exchanges.count
        // A new process on the same state: the feed is unchanged (304), and even a feed
        // that forgot its validators brings only known messages.
        let unchanged = lore.feedStats.notModified
        let second = try await harness.watcher([source], once: true, stop: RunStop()).run()
        #expect(second.reviewed == 0)
        #expect(lore.feedStats.notModified == unchanged + 1, "one read, answered 304")
        let store = try StateStore(url: harness.stateURL)
        try store.recordWatchRead([], cursor: WatchCursor(source: source.key))
        let third = try await harness.watcher([source], once: true, stop: RunStop()).run()
        #expect(third.reviewed == 0)
        #expect(harness.fake.exchanges.count == calls)
        #expect(harness.lines.all.count == 1)
    }

    @Test func anIncompleteSeriesWaitsAndIsReviewedAfterTheSettleTime() async throws {
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        harness.configuration.watch.settleMinutes = 0.05
        let lore = GrowingLore(list: "linux-sound")
        let server = try lore.start()
        defer { server.stop() }
        for message in SyntheticSeries.series(tag: "eps").dropLast() { lore.publish(message) }
        let source = WatchSourceSpec.lore(base: server.baseURL, list: "linux-sound")
        let first = try await harness.watcher([source], once: true, stop: RunStop()).run()
        #expect(first.reviewed == 0, "2 of 3 parts within the settle time: it waits")
        let store = try StateStore(url: harness.stateURL)
        #expect(try store.watchSeries(in: [.pending]).count == 1)
        try await Task.sleep(for: .seconds(3.5))
        let second = try await harness.watcher([source], once: true, stop: RunStop()).run()
        #expect(second.reviewed == 1)
        let record = try #require(try store.watchSeries(in: [.reviewed]).first)
        #expect(record.note == "settled incomplete, missing 3/3")
        _ = harness
    }

    @Test func filtersSkipWhatIsNotMine() async throws {
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        harness.configuration.watch.me = "maint@example.org"
        harness.configuration.watch.files = "sound/"
        let lore = GrowingLore(list: "linux-sound")
        let server = try lore.start()
        defer { server.stop() }
        for message in SyntheticSeries.series(tag: "mine") { lore.publish(message) }
        for message in SyntheticSeries.series(tag: "theirs", to: "Some One <one@example.org>") { lore.publish(message) }
        let result = try await harness.watcher([.lore(base: server.baseURL, list: "linux-sound")], once: true,
                                               stop: RunStop()).run()
        #expect(result.reviewed == 1)
        let store = try StateStore(url: harness.stateURL)
        let skipped = try store.watchSeries(in: [.skipped])
        #expect(skipped.map(\.note) == ["not sent to maint@example.org"])
        _ = harness
    }

    @Test func aSpentDailyBudgetLeavesSeriesQueuedAndWatchingGoesOn() async throws {
        let harness = try WatchHarness()
        defer { harness.fake.stop() }
        harness.configuration.watch.dailyBudgetUSD = 1
        let store = try StateStore(url: harness.stateURL)
        try store.recordRun(RunRecord(seriesKey: "earlier", revision: 1, model: "m", startedAt: Date(),
                                      usage: TokenUsage(input: 1, cacheWrite: 0, cacheRead: 0, output: 1), cost: 1.25,
                                      tasksReviewed: 1, tasksFailed: 0, tasksNotReviewed: 0))
        let lore = GrowingLore(list: "linux-sound")
        let server = try lore.start()
        defer { server.stop() }
        for message in SyntheticSeries.series(tag: "zeta") { lore.publish(message) }
        let source = WatchSourceSpec.lore(base: server.baseURL, list: "linux-sound")
        let result = try await harness.watcher([source], once: true, stop: RunStop()).run()
        #expect(result.reviewed == 0 && result.waiting == 1)
        #expect(harness.fake.exchanges.isEmpty)
        #expect(harness.logLines.all.contains { $0.contains("daily budget of $1.00 is spent: 1 series wait") })
        // A raised budget: the queued series goes ahead.
        harness.configuration.watch.dailyBudgetUSD = 5
        #expect(try await harness.watcher([source], once: true, stop: RunStop()).run().reviewed == 1)
    }

    @Test func logLinesCarryASyslogPriorityUnderSystemdAndNoControlCharacters() {
        let lines = LockedLines()
        let journal = WatchLog(environment: ["JOURNAL_STREAM": "8:1234"], write: { lines.append($0) })
        journal.warn("lore said \u{1b}[31mno\nmore")
        journal.info("fine")
        WatchLog(environment: [:], write: { lines.append($0) }).error("plain")
        #expect(lines.all == ["<4>warning: lore said ^[[31mno^Jmore\n", "<6>fine\n", "reviewbot watch: error: plain\n"])
    }
}
