import Foundation
import LoopbackServers
import Testing

/// `reviewbot watch` as a service is stopped: SIGTERM lets the model call in flight finish,
/// exits 0, and the next start finishes the review from the response cache.
@Suite struct WatchSignalTests {
    @Test func sigtermExitsCleanlyAndTheNextStartAsksOnlyWhatWasNotAnswered() async throws {
        let lore = GrowingLore(list: "linux-watchdog")
        lore.publishAll(try Data(contentsOf: URL(fileURLWithPath: CLI.exynos)))
        let server = try lore.start()
        defer { server.stop() }
        var options = FakeMessagesAPI.Options()
        options.apiKey = "test-key-sigterm-1234"
        options.latency = 1
        let fake = try FakeMessagesAPI(options: options)
        defer { fake.stop() }
        let home = try CLI.scratch()
        let config = home.appendingPathComponent("config.toml")
        try Data("""
            [drafts]
            from = "Mai Ntainer <maint@example.org>"
            [model]
            concurrency = 1
            [watch]
            poll_seconds = 0.2
            """.utf8).write(to: config)
        let environment = ["HOME": home.path, "PATH": "/usr/bin:/bin",
                           "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
                           "ANTHROPIC_API_KEY": options.apiKey, "ANTHROPIC_BASE_URL": fake.baseURL]
        let out = home.appendingPathComponent("out").path
        let arguments = ["watch", "\(server.baseURL)/linux-watchdog/", "--out", out, "--config", config.path]

        func start(_ extra: [String] = []) throws -> (Process, URL, URL) {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = arguments + extra
            process.environment = environment
            let stdout = home.appendingPathComponent("stdout-\(UUID().uuidString)")
            let stderr = home.appendingPathComponent("stderr-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: stdout)
            process.standardError = try FileHandle(forWritingTo: stderr)
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
            try process.run()
            return (process, stdout, stderr)
        }

        let (first, firstOut, firstErr) = try start()
        let deadline = Date().addingTimeInterval(60)
        while fake.exchanges.count < 2, Date() < deadline, first.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(fake.exchanges.count >= 2, "\((try? String(contentsOf: firstErr, encoding: .utf8)) ?? "")")
        let signalled = Date()
        kill(first.processIdentifier, SIGTERM)
        while first.isRunning, Date().timeIntervalSince(signalled) < 10 { try await Task.sleep(for: .milliseconds(50)) }
        let took = Date().timeIntervalSince(signalled)
        #expect(!first.isRunning && first.terminationStatus == 0, "\((try? String(contentsOf: firstErr, encoding: .utf8)) ?? "")")
        #expect(took < 5, "stopped in \(took) s")
        let answered = Set(fake.exchanges.compactMap { $0.call?.userText })
        let firstCount = fake.exchanges.count
        #expect(fake.exchanges.allSatisfy { $0.status == 200 }, "the call in flight was answered, not cut")

        let firstLog = (try? String(contentsOf: firstErr, encoding: .utf8)) ?? ""
        let firstSummary = (try? String(contentsOf: firstOut, encoding: .utf8)) ?? ""
        let (second, secondOut, secondErr) = try start(["--once"])
        second.waitUntilExit()
        let log = try String(contentsOf: secondErr, encoding: .utf8)
        #expect(second.terminationStatus == 0, "\(log)")
        let summary = try String(contentsOf: secondOut, encoding: .utf8)
        let asked = fake.exchanges.dropFirst(firstCount).compactMap { $0.call?.userText }
        let context = "first run:\n\(firstSummary)\(firstLog)\nsecond run:\n\(summary)\(log)"
        if firstSummary.isEmpty {
            // Stopped mid-review: the next start finishes it, asking only what was not answered.
            #expect(summary.hasPrefix("v1 watchdog: s3c2410: Add Exynos850 support: 0 findings"), "\(context)")
            #expect(!asked.isEmpty, "\(context)")
            #expect(Set(asked).isDisjoint(with: answered), "what was answered before came from the cache")
        } else {
            // The call in flight was the last one: the review completed before the exit.
            #expect(firstSummary.hasPrefix("v1 watchdog: s3c2410: Add Exynos850 support"), "\(context)")
            #expect(summary.isEmpty && asked.isEmpty, "\(context)")
        }
    }
}
