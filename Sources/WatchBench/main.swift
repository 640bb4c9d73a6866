// Benchmark for scripts/bench-watch: a day of list traffic replayed through `Watcher`
// (the code `reviewbot watch` runs) against FakeMessagesAPI on loopback.
//
// The fixture threads are multiplied to about MESSAGES messages (each copy gets its own
// Message-IDs, subjects and dates), published to a growing lore list spread evenly over a
// day, and watched at the configured concurrency. Time is scaled: one real hour is
// 3600/SCALE seconds here, and the fake answers after LATENCY_S/SCALE seconds, so the
// figures are in real-equivalent hours and show what the API's latency allows.
//
// usage: WatchBench FIXTURES_DIR [MESSAGES] [SCALE] [LATENCY_S] [SERIES_CONCURRENCY] [MODEL_CONCURRENCY]
import Foundation
import LoopbackServers
import PromptLibrary
import ReviewBotKit
import ReviewEngine

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: WatchBench FIXTURES_DIR [MESSAGES] [SCALE] [LATENCY_S] [SERIES_CONCURRENCY] [MODEL_CONCURRENCY]\n".utf8))
    exit(2)
}
let fixtures = URL(fileURLWithPath: arguments[1])
let wanted = arguments.count > 2 ? Int(arguments[2]) ?? 2_000 : 2_000
let scale = arguments.count > 3 ? Double(arguments[3]) ?? 720 : 720
let latency = arguments.count > 4 ? Double(arguments[4]) ?? 10 : 10
let seriesConcurrency = arguments.count > 5 ? Int(arguments[5]) ?? 4 : 4
let modelConcurrency = arguments.count > 6 ? Int(arguments[6]) ?? 4 : 4
let day = 86_400 / scale

// Fixture threads (with at least one patch), multiplied with rewritten ids and subjects.
let threadFiles = try FileManager.default.subpathsOfDirectory(atPath: fixtures.path)
    .filter { $0.contains("linux-mailinglist-archives") && $0.hasSuffix(".mbox") && $0.contains("thread-") }
    .sorted()
let threads = try threadFiles.map { FakeLore.split(try Data(contentsOf: fixtures.appendingPathComponent($0))) }
    .filter { !$0.isEmpty }
let perRound = threads.reduce(0) { $0 + $1.count }
let rounds = max(1, Int((Double(wanted) / Double(perRound)).rounded(.up)))

func rewrite(_ message: Data, copy: Int) -> Data {
    var text = String(decoding: message, as: UTF8.self)
    // Every Message-ID-like token gets the copy number: ids stay unique, threads intact.
    if let regex = try? NSRegularExpression(pattern: "<([^<>@\\s]+)@([^<>\\s]+)>") {
        text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                              withTemplate: "<$1.c\(copy)@$2>")
    }
    // Subjects: the copy number joins the title, so each copy is its own series.
    if let regex = try? NSRegularExpression(pattern: "^(Subject: (?:Re: )?\\[[^\\]]*\\] )", options: [.anchorsMatchLines]) {
        text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                              withTemplate: "$1c\(copy) ")
    }
    return Data(text.utf8)
}

var messages: [Data] = []
for copy in 0..<rounds {
    for thread in threads { messages += thread.map { rewrite($0, copy: copy) } }
}
messages = Array(messages.prefix(wanted))

let lore = GrowingLore(list: "lkml")
let loreServer = try lore.start()
var apiOptions = FakeMessagesAPI.Options()
apiOptions.apiKey = "bench-key"
apiOptions.latency = latency / scale
let fake = try FakeMessagesAPI(options: apiOptions)

let home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-bench-watch-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: home) }
var configuration = Configuration()
configuration.model.baseURL = fake.baseURL
configuration.model.concurrency = modelConcurrency
configuration.drafts.from = "Bench Mark <bench@example.org>"
configuration.lore.timeoutSeconds = 30
configuration.watch.pollSeconds = max(0.05, 300 / scale)
configuration.watch.settleMinutes = 30 / scale
configuration.watch.concurrency = seriesConcurrency
configuration.watch.dailyBudgetUSD = 0
configuration.review.budgetUSD = 0
let store = try StateStore(url: home.appendingPathComponent("state.sqlite"))
let transport = try configuration.messagesTransport(environment: ["ANTHROPIC_API_KEY": "bench-key"])!
let stop = RunStop()
let reviewed = Locked(0)
let watcher = try Watcher(configuration: configuration, sources: [.lore(base: loreServer.baseURL, list: "lkml")],
                          options: .init(outputDirectory: home.appendingPathComponent("out"), environment: [:]),
                          store: store, transport: transport, library: try PromptLibrary.load(),
                          log: WatchLog(environment: [:], write: { _ in }), stop: stop,
                          summary: { _ in reviewed.withLock { $0 += 1 } })

func peakRSSMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

print("replaying \(messages.count) messages (\(threads.count) fixture threads x \(rounds)) over a day scaled by \(Int(scale)) "
      + "(\(String(format: "%.0f", day)) s); answers after \(latency) s (scaled); \(seriesConcurrency) series x "
      + "\(modelConcurrency) requests at once")
let started = Date()
let watching = Task { try await watcher.run() }
let publishing = Task {
    for (number, message) in messages.enumerated() {
        let due = started.addingTimeInterval(day * Double(number) / Double(messages.count))
        let wait = due.timeIntervalSinceNow
        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
        lore.publish(message)
    }
}
print("hour  published  reviewed  backlog(queued+running)  pending")
var hour = 0
var lastBacklog = -1
while true {
    try await Task.sleep(for: .seconds(3_600 / scale))
    hour += 1
    let backlog = try store.watchSeries(in: [.queued, .running]).count
    let pending = try store.watchSeries(in: [.pending]).count
    let published = min(messages.count, Int(Double(messages.count) * min(1, Double(hour) * 3_600 / 86_400)))
    print(String(format: "%4d  %9d  %8d  %23d  %7d", hour, published, reviewed.withLock { $0 }, backlog, pending))
    if hour >= 24, backlog == 0, pending == 0 || lastBacklog == 0 { break }
    lastBacklog = backlog
    if hour > 24 * 7 { break }
}
await publishing.value
stop.request("benchmark over")
let result = try await watching.value
let elapsedHours = Date().timeIntervalSince(started) * scale / 3_600
let calls = fake.exchanges.count
let series = try store.watchSeries(in: [.reviewed, .skipped, .failed, .queued, .pending])
print(String(format: "reviewed %d series (%d skipped, %d failed) from %d messages with %d API calls in %.1f real-equivalent hours",
             result.reviewed, series.filter { $0.state == .skipped }.count, series.filter { $0.state == .failed }.count,
             messages.count, calls, elapsedHours))
print(String(format: "throughput while busy: %.0f series per hour at %d series x %d requests; %.1f API calls per series",
             Double(result.reviewed) / max(elapsedHours, 1e-9), seriesConcurrency, modelConcurrency,
             Double(calls) / Double(max(result.reviewed, 1))))
let perSeries = Double(calls) / Double(max(result.reviewed, 1))
print(String(format: "on paper: %d requests in flight, %.0f s each, %.1f per series: %.0f series per hour at most",
             seriesConcurrency * modelConcurrency, latency, perSeries,
             Double(seriesConcurrency * modelConcurrency) * 3_600 / latency / perSeries))
print(String(format: "peak RSS %.0f MB", peakRSSMB()))
loreServer.stop()
fake.stop()
