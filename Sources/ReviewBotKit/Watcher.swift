import CurlKit
import Foundation
import MailSources
import MboxParser
import PromptLibrary
import ReviewEngine

/// `reviewbot watch`: reads its sources as mail arrives, groups the new mail into series,
/// and reviews each complete series once, through the same `ReviewJob` as
/// `reviewbot review`. Everything it decides is in the state database first, so a process
/// stopped at any point starts again where it was: nothing lost, nothing reviewed twice.
public actor Watcher {
    public struct Options: Sendable {
        public var outputDirectory: URL
        /// `--push`: an IMAP Drafts folder each review's drafts are appended to.
        public var push: String?
        /// `--once`: read each source once, review what is ready, and return.
        public var once: Bool
        public var flags: SourceFlags
        public var environment: [String: String]

        public init(outputDirectory: URL, push: String? = nil, once: Bool = false, flags: SourceFlags = SourceFlags(),
                    environment: [String: String]) {
            self.outputDirectory = outputDirectory
            self.push = push
            self.once = once
            self.flags = flags
            self.environment = environment
        }
    }

    /// How a run ended.
    public struct Result: Sendable, Equatable {
        public var reviewed = 0
        public var failedReviews = 0
        /// Reads of a source that failed (each is retried after a backoff).
        public var failedReads = 0
        /// Series ready but waiting for the daily budget or a free slot at the end.
        public var waiting = 0
    }

    // Limits and times, each with where its number comes from.

    /// The longest wait between two reads of a failing source: an hour keeps a review at
    /// most an hour late after lore or the IMAP server comes back.
    static let maxBackoff: TimeInterval = 3_600
    /// How long a series' parts are looked at together: a posting's parts arrive within
    /// minutes, reroll threads within days; three days past the settle time is plenty.
    static let seriesWindow: TimeInterval = 3 * 86_400
    /// Message-IDs are remembered this long (a re-read folder or feed finds them known).
    static let idMemory: TimeInterval = 180 * 86_400
    /// Attempts at reviewing one series before it is marked failed.
    static let maxAttempts = 3
    /// The wait before a failed review is tried again (doubling per attempt).
    static let retryDelay: TimeInterval = 300

    let configuration: Configuration
    let options: Options
    let store: StateStore
    let transport: any MessagesTransport
    let library: PromptLibrary
    let filter: WatchFilter
    let log: WatchLog
    let stop: RunStop
    /// One line per reviewed series, for stdout.
    let summary: @Sendable (String) -> Void
    let readers: [any WatchSourceReader]

    private var parsed: [String: WatchSeriesDetector.Mail] = [:]
    private var running: [Int64: Task<Void, Never>] = [:]
    private var result = Result()
    private var budgetNoticeDay: Date?
    private var lastPrune: Date?

    public init(configuration: Configuration, sources: [WatchSourceSpec], options: Options, store: StateStore,
                transport: any MessagesTransport, library: PromptLibrary, log: WatchLog, stop: RunStop,
                summary: @escaping @Sendable (String) -> Void) throws {
        self.configuration = configuration
        self.options = options
        self.store = store
        self.transport = transport
        self.library = library
        self.filter = try configuration.watch.filter()
        self.log = log
        self.stop = stop
        self.summary = summary
        var readers: [any WatchSourceReader] = []
        for spec in sources {
            switch spec {
            case .lore(let base, let list):
                var lore = try configuration.loreConfiguration(flags: options.flags, environment: options.environment)
                // A thread grows while a series arrives: always the live copy.
                lore.cacheDirectory = nil
                readers.append(LoreWatchReader(spec: spec, base: base, list: list,
                                               client: LoreClient(client: CurlClient(), configuration: lore)))
            case .imap(let url):
                readers.append(IMAPWatchReader(spec: spec, url: url,
                                               options: try configuration.imapOptions(flags: options.flags,
                                                                                      environment: options.environment)))
            }
        }
        self.readers = readers
    }

    var pollInterval: TimeInterval { configuration.watch.pollSeconds }
    var settle: TimeInterval { configuration.watch.settleMinutes * 60 }
    /// How often the loop looks at the clock: often enough for a test's sub-second poll,
    /// never busier than five times a second.
    var tick: TimeInterval { min(1, max(0.2, pollInterval / 4)) }

    /// Runs until `stop` is requested (or, with `once`, until what was new is done).
    public func run() async throws -> Result {
        let requeued = try store.requeueInterruptedWatchSeries()
        if requeued > 0 { log.info("\(requeued) review(s) stopped last time are queued again (answers come from the cache)") }
        var nextRead = [Date](repeating: .distantPast, count: readers.count)
        var failures = [Int](repeating: 0, count: readers.count)
        var wakers: [Task<Void, Never>] = []
        defer { for waker in wakers { waker.cancel() } }
        let woken = WakeFlags(count: readers.count)
        if !options.once {
            for (index, reader) in readers.enumerated() {
                if let waiter = reader as? any WatchSourceWaiter {
                    wakers.append(Task.detached { [store, stop, log, pollInterval] in
                        await waiter.watchForChanges(store: store, stop: stop, log: log, fallback: pollInterval) {
                            woken.set(index)
                        }
                    })
                }
            }
        }
        var readOnce = Set<Int>()
        var needsDetect = true
        while stop.requested == nil {
            let now = Date()
            for (index, reader) in readers.enumerated() where nextRead[index] <= now || woken.take(index) {
                do {
                    let read = try await reader.read(store: store, now: now)
                    for note in read.notes { log.warn(note) }
                    if read.newMessages > 0 {
                        log.info("\(reader.spec.key): \(read.newMessages) new message(s)")
                        needsDetect = true
                    }
                    failures[index] = 0
                    nextRead[index] = now.addingTimeInterval(pollInterval)
                } catch {
                    failures[index] += 1
                    result.failedReads += 1
                    let delay = min(Self.maxBackoff, pollInterval * pow(2, Double(min(failures[index], 30))))
                    nextRead[index] = now.addingTimeInterval(delay)
                    log.warn("\(reader.spec.key): \(error); trying again in \(Int(delay.rounded(.up))) s")
                }
                readOnce.insert(index)
            }
            let settled = try settleDue(now)
            if needsDetect || settled {
                try detect(now: now)
                needsDetect = false
            }
            try startReady(now: now)
            prune(now)
            let ready = try readyCount(now)
            if options.once, readOnce.count == readers.count, running.isEmpty, ready == 0 || budgetExhausted(now) {
                break
            }
            try? await Task.sleep(for: .seconds(tick))
        }
        for task in running.values { await task.value }
        result.waiting = try store.watchSeries(in: [.queued]).count
        if let reason = stop.requested { log.info("stopped (\(reason)); \(result.waiting) series wait for the next start") }
        return result
    }

    // MARK: series

    /// Whether a pending series has waited its settle time.
    private func settleDue(_ now: Date) throws -> Bool {
        try store.watchSeries(in: [.pending]).contains { now.timeIntervalSince($0.firstSeenAt) >= settle }
    }

    /// Groups the kept mail into postings and records what each one is now.
    func detect(now: Date) throws {
        let kept = try store.keptWatchMessages(since: now.addingTimeInterval(-(settle + Self.seriesWindow)))
        var mails: [WatchSeriesDetector.Mail] = []
        var received: [String: Date] = [:]
        for message in kept {
            received[message.messageID] = message.receivedAt
            if parsed[message.messageID] == nil, let raw = message.raw {
                parsed[message.messageID] = WatchSeriesDetector.parse(raw, name: message.source)
            }
            if let mail = parsed[message.messageID] { mails.append(mail) }
        }
        parsed = parsed.filter { received[$0.key] != nil }
        for found in WatchSeriesDetector.postings(mails) {
            let holding = try store.watchSeries(holdingAnyOf: found.messageIDs)
            let sameRevision = try store.watchSeries(seriesKey: found.identity.key, revision: found.identity.revision)
                .filter { record in !holding.contains { $0.id == record.id } }
            let pending = holding.first { $0.state == .pending }
            let firstSeen = pending?.firstSeenAt ?? found.messageIDs.compactMap { received[$0] }.min() ?? now
            let ready = found.entry.series.isComplete || now.timeIntervalSince(firstSeen) >= settle
            let sameContent = ready ? try store.watchSeries(contentHash: found.contentHash) : nil
            let decision = WatchSeriesDetector.decide(found, holding: holding, sameRevision: sameRevision,
                                                      sameContent: sameContent, firstSeen: firstSeen, now: now,
                                                      settle: settle, filter: filter)
            var record = pending ?? WatchSeriesRecord(
                seriesKey: found.identity.key, revision: found.identity.revision, title: found.entry.title,
                state: .pending, messageIDs: found.messageIDs, firstSeenAt: firstSeen, updatedAt: now)
            record.messageIDs = found.messageIDs
            record.title = found.entry.title
            record.updatedAt = now
            switch decision {
            case .known:
                continue
            case .pending:
                if pending == nil || pending?.messageIDs != found.messageIDs {
                    try store.saveWatchSeries(record)
                    log.info("waiting for the rest of \(found.entry.revisionLabel) \(found.entry.title): "
                             + "\(found.entry.series.patches.count) of \(found.entry.series.total) patches")
                }
            case .queue(let note):
                record.state = .queued
                record.contentHash = found.contentHash
                record.note = note
                try store.saveWatchSeries(record)
                log.info("queued \(found.entry.revisionLabel) \(found.entry.title)" + (note.map { " (\($0))" } ?? ""))
            case .skip(let reason):
                record.state = .skipped
                record.contentHash = found.contentHash
                record.note = reason
                try store.saveWatchSeries(record)
                log.info("skipped \(found.entry.revisionLabel) \(found.entry.title): \(reason)")
            }
        }
    }

    private func readyCount(_ now: Date) throws -> Int {
        try store.watchSeries(in: [.queued]).filter { ($0.notBefore ?? .distantPast) <= now }.count
    }

    // MARK: reviews

    /// Midnight today, local time: the daily budget counts from here.
    static func startOfDay(_ now: Date) -> Date { Calendar.current.startOfDay(for: now) }

    private func budgetExhausted(_ now: Date) -> Bool {
        let budget = configuration.watch.dailyBudgetUSD
        guard budget > 0, let spent = try? store.spending(since: Self.startOfDay(now)) else { return false }
        return spent.dollars >= budget
    }

    private func startReady(now: Date) throws {
        let free = max(0, configuration.watch.concurrency - running.count)
        guard free > 0, stop.requested == nil else { return }
        let ready = try store.watchSeries(in: [.queued]).filter { ($0.notBefore ?? .distantPast) <= now && running[$0.id] == nil }
        guard !ready.isEmpty else { return }
        if budgetExhausted(now) {
            let day = Self.startOfDay(now)
            if budgetNoticeDay != day {
                budgetNoticeDay = day
                log.warn(String(format: "the daily budget of $%.2f is spent: %d series wait until tomorrow "
                                + "(or a higher [watch] daily_budget_usd)", configuration.watch.dailyBudgetUSD, ready.count))
            }
            return
        }
        for var record in ready.prefix(free) {
            record.state = .running
            record.updatedAt = now
            try store.saveWatchSeries(record)
            let started = record
            running[record.id] = Task { await self.review(started) }
        }
    }

    private func finished(_ id: Int64) { running[id] = nil }

    /// Reviews one posting from the kept messages, exactly as `reviewbot review` would.
    private func review(_ start: WatchSeriesRecord) async {
        var record = start
        defer { finished(record.id) }
        do {
            let mails = try store.watchMessages(record.messageIDs).compactMap { message in
                message.raw.flatMap { WatchSeriesDetector.parse($0, name: message.source) }
            }
            let catalog = SeriesCatalog(messages: mails.map(\.series))
            guard let entry = catalog.entries.max(by: { $0.series.patches.count < $1.series.patches.count }) else {
                throw ReviewBotError("none of its messages holds a patch any more", kind: .noPatches)
            }
            let reader = SourceReader(configuration: configuration, flags: options.flags, environment: options.environment)
            var prepared = try await PreparedReview.prepare(
                series: entry.series, selection: ReviewSelection(source: "watch"), notes: [], configuration: configuration,
                library: library, evidence: EvidenceSources(messages: mails.map(\.series), reader: reader, store: store,
                                                            tree: TreeFacts.configured(reader)))
            // `--tree` / `[tree] path`: the same code context `review` reads.
            if let provider = try await TreeContextProvider.open(for: prepared, configuration: configuration, base: nil,
                                                                 environment: options.environment) {
                await prepared.attachTree(provider, budgetTokens: configuration.tree.contextTokens)
            }
            let directory = options.outputDirectory
                .appendingPathComponent("\(record.id)-\(entry.slug)-\(entry.revisionLabel)")
            var job = ReviewJob(prepared: prepared, configuration: configuration, outputDirectory: directory)
            job.stop = stop
            let outcome = try await job.run(transport: transport, store: store, date: Date(),
                                            notice: { [log] wait in log.info(wait.description) })
            if ReviewJob.wasStopped(outcome, by: stop) {
                record.state = .queued
                record.note = "stopped before all its requests were sent; redone on the next start"
                try store.saveWatchSeries(record)
                return
            }
            if let push = options.push {
                for line in try await configuration.pushDrafts(directory: directory, to: push, flags: options.flags,
                                                                environment: options.environment,
                                                                ledger: SentLedger(store: store)) {
                    log.info(line)
                }
            }
            record.state = .reviewed
            record.directory = directory.path
            record.updatedAt = Date()
            try store.saveWatchSeries(record)
            result.reviewed += 1
            summary(Self.summaryLine(outcome, revision: entry.revisionLabel, directory: directory.path))
        } catch {
            record.attempts += 1
            record.updatedAt = Date()
            record.note = "\(error)"
            if record.attempts >= Self.maxAttempts || ReviewBotError.kind(of: error) == .usage
                || ReviewBotError.kind(of: error) == .noPatches {
                record.state = .failed
                result.failedReviews += 1
                log.error("\(record.title) v\(record.revision): \(error); not tried again")
            } else {
                record.state = .queued
                let delay = Self.retryDelay * pow(2, Double(record.attempts - 1))
                record.notBefore = Date().addingTimeInterval(delay)
                log.warn("\(record.title) v\(record.revision): \(error); trying again in \(Int(delay)) s")
            }
            do { try store.saveWatchSeries(record) } catch { log.error("\(error)") }
        }
    }

    /// `v2 title: 3 findings (1 high, 2 medium), $0.0123, drafts in DIR`, made visible.
    static func summaryLine(_ outcome: ReviewOutcome, revision: String, directory: String) -> String {
        let findings = outcome.report.patches.flatMap(\.findings)
        let bySeverity = Severity.allCases.reversed().compactMap { severity -> String? in
            let count = findings.filter { $0.finding.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)"
        }
        let counted = "\(findings.count) finding\(findings.count == 1 ? "" : "s")"
            + (bySeverity.isEmpty ? "" : " (" + bySeverity.joined(separator: ", ") + ")")
        let cost = outcome.report.cost.map { String(format: "$%.4f", $0) } ?? "cost unknown"
        let state = outcome.isIncomplete ? ", INCOMPLETE" : ""
        return TerminalText.visible("\(revision) \(outcome.seriesTitle): \(counted), \(cost)\(state), "
                                + "\(outcome.drafts.count) draft(s) in \(directory)") + "\n"
    }

    private func prune(_ now: Date) {
        if let lastPrune, now.timeIntervalSince(lastPrune) < 3_600 { return }
        lastPrune = now
        do {
            try store.pruneWatchMessages(keepBytesAfter: now.addingTimeInterval(-(settle + Self.seriesWindow)),
                                         keepIDsAfter: now.addingTimeInterval(-Self.idMemory))
        } catch { log.warn("\(error)") }
    }
}

/// Which sources' change watchers (IMAP IDLE) fired since the loop last looked.
final class WakeFlags: @unchecked Sendable {
    private let lock = NSLock()
    private var flags: [Bool]

    init(count: Int) { flags = Array(repeating: false, count: count) }

    func set(_ index: Int) { lock.withLock { flags[index] = true } }

    func take(_ index: Int) -> Bool {
        lock.withLock {
            defer { flags[index] = false }
            return flags[index]
        }
    }
}

/// A source that can wait for new mail instead of being polled (IMAP IDLE).
protocol WatchSourceWaiter: Sendable {
    /// Calls `wake` whenever the source may hold new mail, until `stop` is requested.
    func watchForChanges(store: StateStore, stop: RunStop, log: WatchLog, fallback: TimeInterval,
                         wake: @escaping @Sendable () -> Void) async
}
