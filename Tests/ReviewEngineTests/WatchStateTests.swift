import Foundation
import Testing
@testable import ReviewEngine

/// Watch mode's tables: what a restart needs to lose nothing and repeat nothing.
@Suite struct WatchStateTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func message(_ id: String, raw: String? = "bytes", at offset: TimeInterval = 0) -> WatchMessage {
        WatchMessage(messageID: id, source: "lore:x", receivedAt: t0.addingTimeInterval(offset), raw: raw.map { Data($0.utf8) })
    }

    @Test func aReadStoresItsMessagesAndCursorTogetherAndKnowsThemAfterReopening() throws {
        let url = try temporaryDirectory().appendingPathComponent("state.sqlite")
        do {
            let store = try StateStore(url: url)
            let new = try store.recordWatchRead([message("a@x"), message("b@x", raw: nil)],
                                                cursor: WatchCursor(source: "imap:f", uidValidity: 7, lastUID: 42))
            #expect(new == ["a@x", "b@x"])
            let again = try store.recordWatchRead([message("a@x", raw: "changed"), message("c@x")],
                                                  cursor: WatchCursor(source: "imap:f", uidValidity: 7, lastUID: 43))
            #expect(again == ["c@x"], "a message already known is not new again")
        }
        let store = try StateStore(url: url)
        #expect(try store.watchCursor(source: "imap:f") == WatchCursor(source: "imap:f", uidValidity: 7, lastUID: 43))
        #expect(try store.watchCursor(source: "imap:other") == nil)
        #expect(try store.knownWatchMessages(["a@x", "b@x", "z@x"]) == ["a@x", "b@x"])
        let kept = try store.keptWatchMessages(since: .distantPast)
        #expect(kept.map(\.messageID) == ["a@x", "c@x"], "only series parts keep their bytes")
        #expect(kept.first?.raw == Data("bytes".utf8), "the first copy stays")
        #expect(try store.watchMessages(["c@x", "b@x", "a@x"]).map(\.messageID) == ["c@x", "a@x"])
    }

    @Test func seriesRecordsAreFoundByMessageKeyAndContent() throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        var record = WatchSeriesRecord(seriesKey: "title:foo", revision: 2, title: "foo", state: .pending,
                                       messageIDs: ["c@x", "p1@x"], firstSeenAt: t0, updatedAt: t0)
        record.id = try store.saveWatchSeries(record)
        #expect(try store.watchSeries(holdingAnyOf: ["p1@x", "zz@x"]) == [record])
        #expect(try store.watchSeries(contentHash: "h") == nil, "pending postings have no hash yet")
        record.messageIDs.append("p2@x")
        record.state = .queued
        record.contentHash = "h"
        try store.saveWatchSeries(record)
        #expect(try store.watchSeries(holdingAnyOf: ["p2@x"]).first?.state == .queued)
        #expect(try store.watchSeries(seriesKey: "title:foo", revision: 2).count == 1)
        #expect(try store.watchSeries(contentHash: "h")?.id == record.id)
        record.state = .running
        try store.saveWatchSeries(record)
        #expect(try store.requeueInterruptedWatchSeries(at: t0) == 1)
        #expect(try store.watchSeries(in: [.queued]).map(\.id) == [record.id])
    }

    @Test func spendingCountsTheRunsOfTheDay() throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        for (offset, cost) in [(-86_400.0, 5.0), (10, 0.25), (20, 0.5)] {
            try store.recordRun(RunRecord(seriesKey: "s", revision: 1, model: "m", startedAt: t0.addingTimeInterval(offset),
                                          usage: TokenUsage(input: 1, cacheWrite: 0, cacheRead: 0, output: 1), cost: cost,
                                          tasksReviewed: 1, tasksFailed: 0, tasksNotReviewed: 0))
        }
        let spent = try store.spending(since: t0)
        #expect(spent.dollars == 0.75)
        #expect(spent.unpriced == 0)
    }

    @Test func pruningForgetsBytesFirstAndIdsLater() throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        try store.recordWatchRead([message("old@x", at: -1_000), message("mid@x", at: -100), message("new@x")],
                                  cursor: WatchCursor(source: "lore:x"))
        #expect(try store.pruneWatchMessages(keepBytesAfter: t0.addingTimeInterval(-50),
                                             keepIDsAfter: t0.addingTimeInterval(-500)) == 1)
        #expect(try store.knownWatchMessages(["old@x", "mid@x", "new@x"]) == ["mid@x", "new@x"])
        #expect(try store.keptWatchMessages(since: .distantPast).map(\.messageID) == ["new@x"])
    }

    @Test func theContentHashDependsOnEveryPartInOrder() {
        #expect(WatchSeriesRecord.contentHash(of: ["a", "b"]) != WatchSeriesRecord.contentHash(of: ["ab"]))
        #expect(WatchSeriesRecord.contentHash(of: ["a", "b"]) != WatchSeriesRecord.contentHash(of: ["b", "a"]))
        #expect(WatchSeriesRecord.contentHash(of: ["a"]).count == 64)
    }
}
