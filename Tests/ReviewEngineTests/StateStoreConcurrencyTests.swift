import Foundation
import Testing
@testable import ReviewEngine

/// Several runs sharing one state database: three reviews of a series at once, each with
/// its own `StateStore` (its own connections, as separate processes have).
@Suite struct StateStoreConcurrencyTests {
    static let writers = 4
    static let writesEach = 25

    func run(_ number: Int) -> RunRecord {
        RunRecord(seriesKey: "s", revision: number, model: "m", startedAt: Date(timeIntervalSince1970: Double(number)),
                  usage: TokenUsage(input: number, cacheWrite: 1, cacheRead: 2, output: 3), cost: 0.01,
                  tasksReviewed: 1, tasksFailed: 0, tasksNotReviewed: 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func concurrentWritersOnOneFileLoseNothingAndNeverFail() async throws {
        let url = try temporaryDirectory().appendingPathComponent("state.sqlite")
        // Opening (and migrating) at the same moment is part of the race.
        let failures = await withTaskGroup(of: [String].self) { group in
            for writer in 0..<Self.writers {
                group.addTask {
                    await onThread {
                        var failures: [String] = []
                        do {
                            let store = try StateStore(url: url)
                            for index in 0..<Self.writesEach {
                                let number = writer * 1_000 + index
                                do {
                                    try store.storeResponse(requestHash: "h\(number)", model: "m",
                                                            body: Data(repeating: UInt8(index % 256), count: 4_096))
                                    _ = try store.cachedResponse(requestHash: "h\(number)")
                                    try store.recordFingerprints([("f\(number)", "a.c")], seriesKey: "s", revision: writer)
                                    try store.recordRun(run(number))
                                } catch {
                                    failures.append("\(error)")
                                }
                            }
                        } catch {
                            failures.append("open: \(error)")
                        }
                        return failures
                    }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        let store = try StateStore(url: url)
        let runs = try store.runs()
        #expect(runs.count == Self.writers * Self.writesEach)
        #expect(Set(runs.map(\.revision)).count == Self.writers * Self.writesEach)
        for writer in 0..<Self.writers {
            #expect(try store.fingerprints(seriesKey: "s", otherThan: -1).filter { $0.hasPrefix("f\(writer * 1_000)") }.count == 1)
            #expect(try store.cachedResponse(requestHash: "h\(writer * 1_000 + Self.writesEach - 1)")?.count == 4_096)
        }
    }

    @Test func anAnswerOverTheCacheLimitIsRefusedAndNothingIsStored() throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        let body = Data(count: StateStore.maxCachedResponseBytes + 1)
        let error = #expect(throws: ReviewEngineError.self) {
            try store.storeResponse(requestHash: "big", model: "m", body: body)
        }
        #expect(error?.description.contains("limit") == true)
        #expect(try store.cachedResponse(requestHash: "big") == nil)
    }

    @Test func theAdviceNeverSuggestsDeletingTheDatabase() throws {
        let url = try temporaryDirectory().appendingPathComponent("state.sqlite")
        try Data("not a database, just text that is long enough to be a header".utf8).write(to: url)
        let error = #expect(throws: ReviewEngineError.self) { try StateStore(url: url) }
        let text = error?.description.lowercased() ?? ""
        for word in ["delete", "remove", "move", "rm "] {
            #expect(!text.contains(word), "\(text)")
        }
        #expect(text.contains("keep the file"), "\(text)")
    }
}

/// Blocking work (SQLite waiting on a lock) on its own thread, off the cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
