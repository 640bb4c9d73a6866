import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine
import PromptLibrary

/// `reviewbot review` from a lore link to the drafts, with lore and the model replaced by
/// loopback stand-ins that speak their real protocols.
@Suite(.serialized) struct EndToEndReviewTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.deletingLastPathComponent().appendingPathComponent("MboxParserTests/Fixtures")
    static let golden = testsDirectory.appendingPathComponent("Golden/e2e-exynos850-v1")
    static let thread = "linux-mailinglist-archives__linux-watchdog/thread-exynos850-wdt-v1.mbox"
    static let coverID = "20211028183527.3050-1-semen.protsenko@linaro.org"
    static let apiKey = "test-key-e2e-SECRET-7777"
    static let date = Date(timeIntervalSince1970: 1_700_000_000)

    struct Run {
        var outcome: ReviewOutcome
        var directory: URL
        var prepared: PreparedReview
        var fake: FakeMessagesAPI
    }

    static func review(thread: String = thread, coverID: String = coverID, list: String = "linux-watchdog",
                       script: @escaping FakeMessagesAPI.Script = ScriptedReviewer.reply) async throws -> Run {
        let mbox = try Data(contentsOf: thread.hasPrefix("/") ? URL(fileURLWithPath: thread) : fixtures.appendingPathComponent(thread))
        let lore = try FakeLore(threads: [.init(list: list, mbox: mbox)]).start()
        defer { lore.stop() }
        var options = FakeMessagesAPI.Options()
        options.apiKey = apiKey
        let fake = try FakeMessagesAPI(options: options, script: script)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-e2e-\(UUID().uuidString)")
        let env = ["HOME": home.path]
        var config = Configuration()
        config.lore.url = lore.baseURL
        config.lore.cache = false
        config.model.baseURL = fake.baseURL
        config.drafts.from = "Rev Iewer <rev@example.net>"
        // One request at a time: with several, which one writes the prompt cache first (and
        // so the token split in report.md) depends on timing.
        config.model.concurrency = 1
        let reader = SourceReader(configuration: config, environment: env)
        let prepared = try await PreparedReview.prepare(
            ReviewSelection(source: "\(lore.baseURL)/\(list)/\(coverID)/"), reader: reader, library: try PromptLibrary.load())
        let out = home.appendingPathComponent("out")
        let job = ReviewJob(prepared: prepared, configuration: config, outputDirectory: out)
        let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": apiKey]))
        let store = try StateStore(url: home.appendingPathComponent("state.sqlite"))
        let outcome = try await job.run(transport: transport, store: store, date: date)
        return Run(outcome: outcome, directory: out, prepared: prepared, fake: fake)
    }

    @Test func draftsThreadToThePatchesAndQuoteOnlyPatchLines() async throws {
        let run = try await Self.review()
        defer { run.fake.stop() }
        #expect(!run.outcome.drafts.isEmpty)
        for patch in run.prepared.patches {
            let names = ReviewOutcome.draftNames(patch.number)
            let file = run.directory.appendingPathComponent(names.mail)
            guard run.outcome.drafts[patch.number] != nil else {
                #expect(!FileManager.default.fileExists(atPath: file.path), "a draft for a patch without findings")
                continue
            }
            let mail = try StandardMailParser.parse(file)
            #expect(mail.inReplyTo == "<\(patch.mail.messageID)>")
            #expect(mail.references.last == "<\(patch.mail.messageID)>")
            #expect(mail.references.dropLast() == patch.mail.references.map { "<\($0)>" }[...])
            #expect(mail.subject == "Re: " + patch.subject)
            #expect(mail.to.contains(patch.mail.author.email))
            #expect(mail.from == "Rev Iewer <rev@example.net>")
            #expect(mail.cc?.contains("linux-watchdog@vger.kernel.org") == true)
            let patchLines = Set(patch.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            for line in mail.body.split(separator: "\n") where line.hasPrefix(">") {
                let quoted = line == ">" ? "" : String(line.dropFirst(2))
                #expect(patchLines.contains(quoted), "quoted line not in the patch: \(line)")
            }
        }
    }

    @Test func findingsAreWhatTheModelSaidAfterDedupeAnchoringAndVerification() async throws {
        let run = try await Self.review()
        defer { run.fake.stop() }
        // What the script reported, task by task, recomputed from the plan.
        var expected: [String] = []
        var refuted = 0
        for task in run.prepared.plan.tasks {
            let user = try PromptAssembly.taskBlock(task: task, bundle: run.prepared.bundles[task.patchIndex])
            guard let said = ScriptedReviewer.finding(inTask: user) else { continue }
            if ScriptedReviewer.refutes(said.anchor) { refuted += 1 } else { expected.append("\(said.file)|\(said.anchor)") }
        }
        let kept = run.outcome.report.patches.flatMap(\.findings).map { "\($0.file)|\($0.finding.anchor)" }
        #expect(kept.sorted() == expected.sorted())
        #expect(!expected.isEmpty)
        #expect(refuted > 0, "the fixture should exercise the verification pass")
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: run.directory.appendingPathComponent("findings.json"))) as! [String: Any]
        let dropped = json["dropped"] as! [String: Int]
        let reviewTasks = run.prepared.plan.tasks.count
        let tasksWithFinding = expected.count + refuted
        #expect(dropped["duplicate"] == tasksWithFinding)
        #expect(dropped["unanchored"] == reviewTasks)
        #expect(dropped["refuted"] == refuted)
        // Every request carried the fixed tool contract, forced.
        for call in run.fake.exchanges.compactMap(\.call) {
            #expect(call.tool == "report_findings" || call.tool == "verify_finding")
        }
        // The key is in no output file.
        for name in try FileManager.default.contentsOfDirectory(atPath: run.directory.path) where !name.hasPrefix(".") {
            let text = try String(contentsOf: run.directory.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains(Self.apiKey), "\(name) holds the API key")
        }
    }

    /// The drafts as golden files: re-record with REVIEWBOT_RECORD=1 and review the diff.
    @Test func draftsMatchTheGoldenFiles() async throws {
        let run = try await Self.review()
        defer { run.fake.stop() }
        let record = ProcessInfo.processInfo.environment["REVIEWBOT_RECORD"] == "1"
        let names = try FileManager.default.contentsOfDirectory(atPath: run.directory.path)
            .filter { $0.hasSuffix(".eml") || $0.hasSuffix("-review-inline.txt") || $0 == "report.md" }.sorted()
        if record {
            try? FileManager.default.removeItem(at: Self.golden)
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
        }
        let goldenNames = record ? names : try FileManager.default.contentsOfDirectory(atPath: Self.golden.path).sorted()
        #expect(names == goldenNames)
        for name in names {
            let actual = try String(contentsOf: run.directory.appendingPathComponent(name), encoding: .utf8)
            let goldenFile = Self.golden.appendingPathComponent(name)
            if record { try actual.write(to: goldenFile, atomically: true, encoding: .utf8); continue }
            let expected = try String(contentsOf: goldenFile, encoding: .utf8)
            #expect(actual == expected, "\(name) differs from its golden file (REVIEWBOT_RECORD=1 re-records)")
        }
    }
}
