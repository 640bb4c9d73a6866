import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

@Suite struct ReviewRunnerTests {
    typealias F = RunnerFixture

    @Test func faultInjectionEndsEveryTaskReviewedOrFailedWithoutLosingFindings() async throws {
        let transport = ScriptedTransport { call in
            if call.tool == "verify_finding" { return .answer(FakeAPI.verdict("confirmed")) }
            let number = F.fileNumber(call)
            switch (number, call.attempt) {
            case (0, 1): return .answer(FakeAPI.error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit",
                                                      headers: ["retry-after": "7"]))
            case (1, 1): return .answer(FakeAPI.error(529, "overloaded_error", "Overloaded"))
            case (2, 1), (2, 2): return .answer(FakeAPI.error(500, "api_error", "Internal server error"))
            case (3, _): return .slow(.milliseconds(50), F.findings(for: 3))
            case (4, 1): return .fail(TransportError(kind: .connectionReset, message: "connection reset by peer"))
            case (5, _): return .answer(FakeAPI.error(400, "invalid_request_error", "messages: field required"))
            case (6, 1): return .answer(FakeAPI.findings([FakeAPI.finding(file: "drivers/f6.c", anchor: "\tret = do_6(dev);",
                                                                          category: "bogus", comment: "x")]))
            case (7, 1): return .answer(FakeAPI.cut())
            default: return .answer(F.findings(for: number))
            }
        }
        let clock = TestClock()
        let report = try await F.run(transport, configuration: F.configuration(verify: true), clock: clock)

        let outcomes = report.outcomes
        #expect(outcomes.count == 8)
        for outcome in outcomes where outcome.taskID != "P1-T6" {
            #expect(outcome.status == .reviewed(fromCache: false), "\(outcome.taskID)")
        }
        guard case .failed(let failure) = outcomes[5].status else { Issue.record("400 task not failed"); return }
        #expect(failure.reason.hasPrefix("HTTP 400 invalid_request_error: messages: field required"))
        #expect(report.unreviewedTasks.isEmpty)

        // Every reviewed task's finding is there once, anchored on its own file, confirmed.
        let findings = report.patches[0].findings
        #expect(findings.map(\.file).sorted() == [0, 1, 2, 3, 4, 6, 7].map { "drivers/f\($0).c" })
        #expect(findings.allSatisfy { $0.verification == .confirmed(reason: "checked the error path") })
        #expect(findings.allSatisfy { $0.finding.comment == F.comment(Int($0.file.dropFirst(9).prefix(1))!) })
        #expect(report.patches[0].dropped.isEmpty)

        let reviewCalls = await transport.calls { $0.tool == "report_findings" }
        #expect(reviewCalls.filter { F.fileNumber($0) == 5 }.count == 1)  // 400: no retry
        #expect(reviewCalls.filter { F.fileNumber($0) == 2 }.count == 3)
        #expect(reviewCalls.filter { F.fileNumber($0) == 6 }.count == 2)  // malformed: retried once
        #expect(reviewCalls.filter { F.fileNumber($0) == 7 }.map(\.request.maxTokens) == [4_096, 8_192])
        #expect(clock.sleeps.contains(.seconds(7)))
        #expect(report.apiCalls == (await transport.sent.count))
        #expect(await transport.calls { $0.tool == "verify_finding" }.count == 7)
    }

    @Test func retriesWaitForRetryAfterAndBackOffOtherwise() async throws {
        for (answer, expected) in [
            (FakeAPI.error(429, "rate_limit_error", "rate limited", headers: ["retry-after": "7"]), Duration.seconds(7)),
            (FakeAPI.error(529, "overloaded_error", "Overloaded"), .milliseconds(750)),  // 1 s base, jitter 0.5
        ] {
            let transport = ScriptedTransport { call in call.attempt == 1 ? .answer(answer) : .answer(F.findings(for: 0)) }
            let clock = TestClock()
            let report = try await F.run(transport, files: 1, configuration: F.configuration(), clock: clock)
            #expect(clock.sleeps == [expected])
            #expect(report.outcomes.map(\.status) == [.reviewed(fromCache: false)])
            #expect(await transport.sent.count == 2)
        }
    }

    @Test func spendLimitAndClientErrorsAreNotRetried() async throws {
        for answer in [
            FakeAPI.error(429, "rate_limit_error", "This request would exceed your organization's monthly spend limit."),
            FakeAPI.error(401, "authentication_error", "invalid x-api-key"),
            FakeAPI.error(413, "request_too_large", "Request exceeds the maximum allowed number of bytes."),
        ] {
            let transport = ScriptedTransport { _ in .answer(answer) }
            let clock = TestClock()
            let report = try await F.run(transport, files: 1, configuration: F.configuration(), clock: clock)
            #expect(await transport.sent.count == 1)
            #expect(clock.sleeps.isEmpty)
            #expect(report.failedTasks.count == 1)
        }
    }

    @Test func answerCutTwiceIsReportedWithItsRawTextNeverParsed() async throws {
        let transport = ScriptedTransport { _ in .answer(FakeAPI.cut()) }
        let report = try await F.run(transport, files: 1, configuration: F.configuration())
        guard case .failed(let failure) = report.outcomes[0].status else { Issue.record("cut answer accepted"); return }
        #expect(failure.reason == "the answer was cut at max_tokens 8192")
        #expect(failure.rawAnswer?.contains("Looking at the error path") == true)
        #expect(await transport.sent.map(\.request.maxTokens) == [4_096, 8_192])
        #expect(report.patches[0].findings.isEmpty)

        var atCeiling = F.configuration()
        atCeiling.maxTokensCeiling = 4_096
        let second = ScriptedTransport { _ in .answer(FakeAPI.cut()) }
        _ = try await F.run(second, files: 1, configuration: atCeiling)
        #expect(await second.sent.count == 1)
    }

    @Test func malformedToolInputIsRetriedOnceThenReportedWithTheRawAnswer() async throws {
        let transport = ScriptedTransport { _ in
            .answer(FakeAPI.findings([FakeAPI.finding(file: "drivers/f0.c", anchor: "\tret = do_0(dev);",
                                                      severity: "critical", comment: "x")]))
        }
        let report = try await F.run(transport, files: 1, configuration: F.configuration())
        guard case .failed(let failure) = report.outcomes[0].status else { Issue.record("malformed input accepted"); return }
        #expect(failure.reason.contains("severity \"critical\""))
        #expect(failure.rawAnswer?.contains("\"severity\":\"critical\"") == true)
        #expect(await transport.sent.count == 2)

        let missingTool = ScriptedTransport { _ in .answer(FakeAPI.message(content: [.text("No issues.")], stopReason: "end_turn")) }
        let second = try await F.run(missingTool, files: 1, configuration: F.configuration())
        #expect(second.failedTasks.first?.status == .failed(TaskFailure(
            reason: "the answer has no report_findings call", rawAnswer: second.failedTasks.first.flatMap {
                if case .failed(let failure) = $0.status { failure.rawAnswer } else { nil }
            })))
        #expect(await missingTool.sent.count == 2)
    }

    @Test func reRunIsServedFromTheCache() async throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        let transport = ScriptedTransport { call in
            call.tool == "verify_finding" ? .answer(FakeAPI.verdict("uncertain")) : .answer(F.findings(for: F.fileNumber(call)))
        }
        let first = try await F.run(transport, files: 5, configuration: F.configuration(verify: true), store: store)
        let callsAfterFirst = await transport.sent.count
        #expect(callsAfterFirst == 10)
        #expect(first.usage.total > 0)

        let second = try await F.run(transport, files: 5, configuration: F.configuration(verify: true), store: store)
        #expect(await transport.sent.count == callsAfterFirst)
        #expect(second.apiCalls == 0)
        #expect(second.cacheHits == 10)
        #expect(second.usage == TokenUsage())
        #expect(second.outcomes.allSatisfy { $0.status == .reviewed(fromCache: true) })
        #expect(second.patches[0].findings == first.patches[0].findings)
        #expect(second.patches[0].findings.allSatisfy { $0.verification == .uncertain(reason: "checked the error path") })
        #expect(try store.runs().map(\.usage) == [first.usage, TokenUsage()])
    }

    @Test func budgetExhaustionStopsCleanlyAndListsUnreviewedTasks() async throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        let transport = ScriptedTransport { call in
            .answer(F.findings(for: F.fileNumber(call), usage: MessagesAPI.Usage(inputTokens: 2_000, outputTokens: 100)))
        }
        var configuration = F.configuration(concurrency: 1)
        configuration.budget = RunBudget(maxTokens: 3_000)
        let report = try await F.run(transport, configuration: configuration, store: store)
        #expect(report.stoppedByBudget)
        #expect(await transport.sent.count == 2)
        #expect(report.unreviewedTasks == (3...8).map { "P1-T\($0)" })
        #expect(report.outcomes.prefix(2).allSatisfy { $0.status == .reviewed(fromCache: false) })
        #expect(report.patches[0].findings.count == 2)
        #expect(report.usage == TokenUsage(input: 4_000, output: 200))
        #expect(try store.runs().last?.tasksNotReviewed == 6)
    }

    @Test func budgetStopsInPlanOrderEvenWhenALaterTaskWouldFit() async throws {
        var patch = F.patch(files: 3)
        // Task 2 carries a long line, so its request is larger than those of tasks 1 and 3.
        patch.files[1].hunks[0].lines[0].text += String(repeating: " /* padding */", count: 300)
        let reviewSeries = series([patch])
        let plan = ReviewPlan.make(series: reviewSeries, options: F.options)
        let prefix = PromptAssembly.prefix(bundle: testPrompts, series: reviewSeries, patchIndex: 0)
        let estimates = try plan.tasks.map { task in
            TokenEstimate.tokens(forBytes: try PromptAssembly.reviewRequest(
                task: task, prefix: prefix, bundle: testPrompts, settings: F.configuration().request).encoded().count)
        }
        #expect(estimates[1] > estimates[2] + 100)
        let spentByTask1 = 2_100
        var configuration = F.configuration(concurrency: 1)
        configuration.budget = RunBudget(maxTokens: spentByTask1 + (estimates[1] + estimates[2]) / 2)
        let transport = ScriptedTransport { call in
            .answer(F.findings(for: F.fileNumber(call), usage: MessagesAPI.Usage(inputTokens: 2_000, outputTokens: 100)))
        }
        let report = try await F.run(transport, configuration: configuration, series: reviewSeries)
        #expect(await transport.sent.count == 1)
        #expect(report.unreviewedTasks == ["P1-T2", "P1-T3"])
    }

    @Test func fingerprintsSuppressRepeatsOnUnchangedCodeOnly() async throws {
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        let transport = ScriptedTransport { call in .answer(F.findings(for: F.fileNumber(call))) }
        func review(revision: Int, _ patch: Patch) async throws -> ReviewReport {
            try await F.run(transport, configuration: F.configuration(), store: store,
                            series: series([patch], key: "change-id:20261121-fix-probe", revision: revision))
        }
        let v2 = try await review(revision: 2, RunnerFixture.patch(files: 2))
        #expect(v2.patches[0].findings.count == 2)
        // v3: the same code at other line numbers, and file 1 changed next to the anchor.
        var v3Patch = RunnerFixture.patch(files: 2, start: 200)
        v3Patch.files[1] = RunnerFixture.patch(files: 2, start: 200, check: "if (ret < 0)").files[1]
        let v3 = try await review(revision: 3, v3Patch)
        #expect(v3.patches[0].findings.map(\.file) == ["drivers/f1.c"])
        #expect(v3.patches[0].dropped.map(\.reason) == [.reportedInEarlierRevision])
        #expect(v3.patches[0].dropped.map(\.finding.file) == ["drivers/f0.c"])
        // Re-running v2 itself still shows its findings.
        #expect(try await review(revision: 2, RunnerFixture.patch(files: 2)).patches[0].findings.count == 2)
    }

    @Test func verificationDropsRefutedAndMarksUncertain() async throws {
        let findings: [JSONValue] = ["alpha", "beta", "gamma"].enumerated().map { index, word in
            FakeAPI.finding(file: "drivers/f0.c", anchor: index == 0 ? "\tret = do_0(dev);" : index == 1 ? "\tif (ret)" : "\t\treturn ret;",
                            category: ["logic", "bounds", "race"][index], comment: "\(word) \(index) comment \(word)")
        }
        let script: ScriptedTransport.Script = { call in
            guard call.tool == "verify_finding" else { return .answer(FakeAPI.findings(findings)) }
            if call.userText.contains("alpha") { return .answer(FakeAPI.verdict("confirmed", reason: "a")) }
            if call.userText.contains("beta") { return .answer(FakeAPI.verdict("refuted", reason: "freed in remove()")) }
            return .answer(FakeAPI.verdict("uncertain", reason: "g"))
        }
        let verified = ScriptedTransport(script)
        let report = try await F.run(verified, files: 1, configuration: F.configuration(verify: true))
        #expect(report.patches[0].findings.map(\.verification) == [.confirmed(reason: "a"), .uncertain(reason: "g")])
        #expect(report.patches[0].dropped.map(\.reason) == [.refuted(reason: "freed in remove()")])
        let verifyCalls = await verified.calls { $0.tool == "verify_finding" }
        #expect(verifyCalls.count == 3)
        #expect(verifyCalls.allSatisfy {
            $0.userText.hasPrefix("VERIFY THIS\n\nFinding:\n" + MaterialFence.wrap("drivers/f0.c", label: "file"))
                && $0.userText.contains("b/drivers/f0.c")
        })

        let unverified = ScriptedTransport(script)
        let plain = try await F.run(unverified, files: 1, configuration: F.configuration(verify: false))
        #expect(plain.patches[0].findings.count == 3)
        #expect(plain.patches[0].findings.allSatisfy { $0.verification == .notVerified })
        #expect(await unverified.calls { $0.tool == "verify_finding" }.isEmpty)
    }

    @Test func concurrencyIsBounded() async throws {
        let transport = ScriptedTransport { call in .slow(.milliseconds(20), F.findings(for: F.fileNumber(call))) }
        let report = try await F.run(transport, files: 12, configuration: F.configuration(concurrency: 3))
        #expect(report.outcomes.count == 12)
        let peak = await transport.maxInFlight
        #expect(peak <= 3)
        #expect(peak >= 2)
    }

    @Test func pacesByRateLimitHeaders() async throws {
        let clock = TestClock()
        let reset = ISO8601DateFormatter().string(from: clock.now() + 30)
        let transport = ScriptedTransport { call in
            .answer(F.findings(for: F.fileNumber(call), headers: ["anthropic-ratelimit-requests-remaining": "0",
                                                                 "anthropic-ratelimit-requests-reset": reset]))
        }
        _ = try await F.run(transport, files: 2, configuration: F.configuration(concurrency: 1), clock: clock)
        #expect(clock.sleeps == [.seconds(30)])
    }

    @Test func costIsSummedPerPatchAndRun() async throws {
        let transport = ScriptedTransport { call in
            .answer(F.findings(for: F.fileNumber(call), usage: MessagesAPI.Usage(
                inputTokens: 100, outputTokens: 50, cacheCreationInputTokens: 3_000, cacheReadInputTokens: 0)))
        }
        let reviewSeries = series([F.patch(files: 2), F.patch(files: 1)])
        let report = try await F.run(transport, configuration: F.configuration(), series: reviewSeries)
        let perTask = TokenUsage(input: 100, cacheWrite: 3_000, output: 50)
        #expect(report.patches.map(\.usage) == [perTask + perTask, perTask])
        #expect(report.usage == perTask + perTask + perTask)
        let price = PriceTable.defaults.price(for: FakeAPI.model)!
        #expect(report.cost == price.cost(of: report.usage))
        #expect(report.patches[1].cost == price.cost(of: perTask))
    }
}
