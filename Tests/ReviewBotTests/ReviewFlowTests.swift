import Foundation
import LoopbackServers
import MboxParser
import PromptLibrary
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// The maintainer's flow where it used to look clean when it was not: a refused key, an
/// API that never answers, failed tasks, unverified findings, a selection of patches, and
/// the reply to the cover letter.
@Suite(.serialized) struct ReviewFlowTests {
    static let exynos = EndToEndReviewTests.fixtures
        .appendingPathComponent("linux-mailinglist-archives__linux-watchdog/thread-exynos850-wdt-v1.mbox").path
    static let coverID = "20211028183527.3050-1-semen.protsenko@linaro.org"
    static let key = "test-key-flow-0000"

    static func configuration(_ baseURL: String) -> Configuration {
        var config = Configuration()
        config.model.baseURL = baseURL
        config.model.concurrency = 1
        config.drafts.from = "Rev Iewer <rev@example.net>"
        return config
    }

    static func prepare(_ selection: ReviewSelection, _ config: Configuration) async throws -> PreparedReview {
        let reader = SourceReader(configuration: config, environment: ["HOME": "/nonexistent"])
        return try await PreparedReview.prepare(selection, reader: reader, library: try PromptLibrary.load())
    }

    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("rb-flow-\(UUID().uuidString)")
    }

    static func run(_ config: Configuration, selection: ReviewSelection = ReviewSelection(source: exynos),
                    key: String = key, verify: Bool? = nil, store: StateStore? = nil,
                    out: URL = directory()) async throws -> ReviewOutcome {
        let prepared = try await prepare(selection, config)
        let job = ReviewJob(prepared: prepared, configuration: config, outputDirectory: out, verify: verify)
        let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": key]))
        return try await job.run(transport: transport, store: store, date: EndToEndReviewTests.date)
    }

    static func fake(_ script: @escaping FakeMessagesAPI.Script = ScriptedReviewer.reply) throws -> FakeMessagesAPI {
        var options = FakeMessagesAPI.Options()
        options.apiKey = key
        return try FakeMessagesAPI(options: options, script: script)
    }

    @Test func aRefusedKeyStopsAtTheFirstRequestAndNamesTheVariable() async throws {
        let fake = try Self.fake()
        defer { fake.stop() }
        let out = Self.directory()
        do {
            _ = try await Self.run(Self.configuration(fake.baseURL), key: "test-key-wrong", out: out)
            Issue.record("a run with a refused key looked like a review")
        } catch let error as ReviewBotError {
            #expect(error.kind == .unavailable)
            #expect(error.description.contains("ANTHROPIC_API_KEY"))
            #expect(error.description.contains("HTTP 401"))
            #expect(error.description.contains("[model] auth"))
        }
        #expect(fake.exchanges.count == 1, "requests after the first refusal: \(fake.exchanges.count - 1)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing was reviewed, so nothing is written")
    }

    @Test func anAPIThatNeverAnswersFailsTheRunAndSaysWhatItRetried() async throws {
        // A port nothing listens on: bound, then closed.
        let closed = try FakeMessagesAPI()
        let base = closed.baseURL
        closed.stop()
        var config = Self.configuration(base)
        config.model.retries = 1
        do {
            _ = try await Self.run(config)
            Issue.record("an unreachable API looked like a review")
        } catch let error as ReviewBotError {
            #expect(error.kind == .unavailable)
            #expect(error.description.contains("did not answer"))
            #expect(error.description.contains("gave up after 2 attempts"))
        }
    }

    @Test func failedTasksAreNotReviewedAndTheAdviceSaysSo() async throws {
        let fake = try Self.fake { call in
            call.tool == "report_findings" && call.userText.contains("drivers/watchdog/s3c2410_wdt.c")
                ? .serverError : ScriptedReviewer.reply(call)
        }
        defer { fake.stop() }
        var config = Self.configuration(fake.baseURL)
        config.model.retries = 0
        let out = Self.directory()
        let outcome = try await Self.run(config, out: out)
        #expect(outcome.isIncomplete)
        let report = outcome.reportMarkdown
        let notReviewed = try #require(report.components(separatedBy: "## Not reviewed\n").last)
        #expect(notReviewed.contains("failed: HTTP 500"))
        #expect(!notReviewed.contains("every changed line was reviewed"))
        let summary = outcome.summary(directory: out.path)
        #expect(summary.contains("not reviewed:\n"))
        #expect(summary.contains("failed: HTTP 500"))
        #expect(summary.contains("INCOMPLETE"))
        #expect(!summary.contains("edit the drafts"))
    }

    @Test func unverifiedFindingsStayInTheReportUnlessConfigured() async throws {
        let fake = try Self.fake()
        defer { fake.stop() }
        let out = Self.directory()
        let outcome = try await Self.run(Self.configuration(fake.baseURL), verify: false, out: out)
        let kept = outcome.report.patches.flatMap(\.findings)
        #expect(!kept.isEmpty)
        #expect(kept.allSatisfy { !$0.isVerified })
        #expect(outcome.drafts.isEmpty, "unverified findings were drafted")
        #expect(outcome.reportMarkdown.contains("(unverified, not in the draft)"))
        #expect(outcome.reportMarkdown.contains("The verification pass was off for this run"))
        #expect(outcome.summary(directory: out.path).contains("unverified finding"))
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("findings.json"))) as! [String: Any]
        let items = (json["patches"] as! [[String: Any]]).flatMap { $0["findings"] as! [[String: Any]] }
        #expect(items.allSatisfy { $0["verdict"] as? String == "unverified" && $0["drafted"] as? Bool == false })

        var drafting = Self.configuration(fake.baseURL)
        drafting.drafts.includeUnverified = true
        let drafted = try await Self.run(drafting, verify: false)
        #expect(!drafted.drafts.isEmpty)
        // The disclosure line is the sender's own check, never a claim about the pass.
        for draft in drafted.drafts.values {
            let opening = draft.mail.components(separatedBy: " wrote:\n").first ?? draft.mail
            #expect(!opening.lowercased().contains("verif"), "the draft claims a check: \(opening)")
        }
    }

    @Test func onlyTheSelectedPatchesAreReviewedAndTheRestAreListed() async throws {
        let fake = try Self.fake()
        defer { fake.stop() }
        let selection = ReviewSelection(source: Self.exynos, patches: try PatchNumbers(parsing: "2,4-5"))
        let outcome = try await Self.run(Self.configuration(fake.baseURL), selection: selection)
        let reviewed = Set(outcome.report.patches.filter { !$0.tasks.isEmpty }.map { outcome.patches[$0.patchIndex].number })
        #expect(reviewed == [2, 4, 5])
        #expect(Set(outcome.drafts.keys).isSubset(of: [0, 2, 4, 5]))
        let notReviewed = try #require(outcome.reportMarkdown.components(separatedBy: "## Not reviewed\n").last)
        for number in [1, 3, 6, 7] {
            #expect(notReviewed.contains("patch \(number), `"), "patch \(number) not listed")
        }
        #expect(notReviewed.contains("not-selected"))
        #expect(!outcome.isIncomplete, "leaving patches out on purpose is not a failure")
        await #expect(throws: ReviewBotError.self) {
            _ = try await Self.prepare(ReviewSelection(source: Self.exynos, patches: try PatchNumbers(parsing: "9")),
                                       Self.configuration(fake.baseURL))
        }
    }

    @Test func theCoverLetterGetsASummaryReply() async throws {
        let fake = try Self.fake()
        defer { fake.stop() }
        let out = Self.directory()
        let outcome = try await Self.run(Self.configuration(fake.baseURL), out: out)
        let cover = try #require(outcome.drafts[0], "no reply to the cover letter of a 7-patch series")
        let mail = try StandardMailParser.parse(out.appendingPathComponent("0000.eml"))
        #expect(mail.inReplyTo == "<\(Self.coverID)>")
        #expect(mail.subject == "Re: [PATCH 0/7] watchdog: s3c2410: Add Exynos850 support")
        #expect(mail.from == "Rev Iewer <rev@example.net>")
        let commented = outcome.drafts.keys.filter { $0 > 0 }.count
        #expect(mail.body.contains("I have comments on \(commented) of the 7 patches"))
        #expect(cover.mail.contains("This review was drafted with an AI assistant"))

        var off = Self.configuration(fake.baseURL)
        off.drafts.coverReplyMinPatches = 0
        #expect(try await Self.run(off).drafts[0] == nil)
        var short = Self.configuration(fake.baseURL)
        short.drafts.coverReplyMinPatches = 8
        #expect(try await Self.run(short).drafts[0] == nil)
    }

    @Test func promptsMatchAndPlanPrintTheSamePrefixFigure() async throws {
        let prepared = try await Self.prepare(ReviewSelection(source: Self.exynos), Configuration())
        let tool = try PromptsTool(promptsDirectory: nil, environment: ["HOME": "/nonexistent"])
        let report = tool.match(prepared)
        for index in prepared.patches.indices {
            let tokens = prepared.prefixTokens(patchIndex: index)
            #expect(report.contains("prefix: about \(tokens) tokens"))
            #expect(prepared.planListing.contains("prefix ~\(tokens) tokens"))
        }
    }

    @Test func planLabelsAreFunctionNames() async throws {
        let prepared = try await Self.prepare(ReviewSelection(source: Self.exynos), Configuration())
        for task in prepared.plan.tasks {
            #expect(!task.scope.contains("\""), "a cut string literal in \(task.id): \(task.scope)")
            #expect(!task.scope.contains("struct platform_device *"), "a whole signature in \(task.id): \(task.scope)")
        }
    }
}
