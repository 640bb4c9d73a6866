import Foundation
import LoopbackServers
import Testing
@testable import ReviewEngine

/// The tool loop over libcurl against the loopback Messages API, with an in-memory tree:
/// the model reads code, the engine answers each call, and the answer ends the task.
@Suite struct ToolLoopTests {
    typealias F = RunnerFixture

    static func call(_ name: String, _ json: String) -> FakeMessagesAPI.ToolCall {
        FakeMessagesAPI.ToolCall(name: name, json: json)
    }

    static func configuration(verify: Bool = false, maxToolTurns: Int = 6) -> ReviewConfiguration {
        var configuration = F.configuration(concurrency: 1, verify: verify)
        configuration.maxToolTurns = maxToolTurns
        return configuration
    }

    /// Breakpoints of one request as the fake received it.
    static func breakpoints(_ exchange: FakeMessagesAPI.Exchange) -> Int {
        String(decoding: exchange.body, as: UTF8.self).components(separatedBy: "\"cache_control\"").count - 1
    }

    @Test func scriptedLoopGetsTheRightAnswersAndKeepsAtMostFourBreakpoints() async throws {
        let provider = FakeCodeContext()
        let review = try LoopbackReview { call in
            switch call.turn {
            case 1:
                return .toolCalls([Self.call("find_callers", #"{"name":"do_0"}"#)])
            case 2:
                guard call.toolResults.count == 1, call.toolResults[0].content.contains("bus_probe(): ret = do_0(dev);"),
                      call.toolResults[0].content.contains(".start = do_0") else { return .text("wrong callers") }
                return .toolCalls([Self.call("read_function", #"{"name":"probe_0"}"#)])
            default:
                guard call.toolResults.first?.content.contains("buf_0 = alloc_0(dev);") == true else {
                    return .text("wrong function")
                }
                return ToolReply.finding(forFile: 0)
            }
        }
        defer { review.fake.stop() }
        let report = try await review.run(files: 1, configuration: Self.configuration(), prompts: LoopbackReview.bigPrompts,
                                          provider: provider)
        #expect(report.patches[0].findings.count == 1, "\(report.allText)")
        #expect(provider.runs == [.findCallers(name: "do_0"), .readFunction(name: "probe_0", file: nil, version: .patched)])
        let exchanges = review.fake.exchanges
        #expect(exchanges.count == 3)
        #expect(exchanges.allSatisfy { $0.status == 200 })
        for exchange in exchanges { #expect(Self.breakpoints(exchange) <= 4) }
        #expect(exchanges.map(Self.breakpoints) == [4, 4, 4])
        let json = try #require(exchanges[0].json)
        #expect((json["tools"] as? [[String: Any]])?.map { $0["name"] as? String }
                == ["read_function", "find_definition", "find_callers", "grep", "read_file", "report_findings"])
        #expect(json["tool_choice"] as? [String: String] == ["type": "any"])
        // Each turn reads every earlier turn from cache: the moving breakpoint works.
        let usage = exchanges.compactMap(\.usage)
        #expect(usage[1].cacheReadInputTokens == usage[0].cacheReadInputTokens + usage[0].cacheCreationInputTokens)
        #expect(usage[2].cacheReadInputTokens == usage[1].cacheReadInputTokens + usage[1].cacheCreationInputTokens)
        // Each turn writes its newest blocks for the next one; nothing is paid uncached.
        #expect(usage.allSatisfy { $0.cacheCreationInputTokens > 0 && $0.inputTokens == 0 })
        #expect(report.toolCalls == 2)
        #expect(report.tree?.baseSource == .baseCommitLine)
    }

    @Test func identicalRepeatedCallIsAnsweredFromTheEarlierResult() async throws {
        let provider = FakeCodeContext()
        let review = try LoopbackReview { call in
            call.turn <= 2 ? .toolCalls([Self.call("find_callers", #"{"name":"do_0"}"#)]) : ToolReply.findings([])
        }
        defer { review.fake.stop() }
        let report = try await review.run(files: 1, configuration: Self.configuration(), provider: provider)
        #expect(report.failedTasks.isEmpty)
        #expect(provider.runs == [.findCallers(name: "do_0")])
        let results = review.fake.exchanges.compactMap(\.call).map(\.toolResults)
        #expect(results.count == 3)
        #expect(results[1].map(\.content) == results[2].map(\.content))
        #expect(results[2].first?.content.contains("bus_probe") == true)
    }

    @Test func capOnToolTurnsForcesReportFindings() async throws {
        let provider = FakeCodeContext()
        let review = try LoopbackReview { call in
            // A model that would read forever.
            call.choice == "any" ? .toolCalls([Self.call("grep", "{\"pattern\":\"turn \(call.turn)\"}")])
                : ToolReply.findings([])
        }
        defer { review.fake.stop() }
        let report = try await review.run(files: 1, configuration: Self.configuration(maxToolTurns: 2), provider: provider)
        #expect(report.failedTasks.isEmpty, "\(report.allText)")
        let calls = review.fake.exchanges.compactMap(\.call)
        #expect(calls.map(\.choice) == ["any", "any", "tool"])
        #expect(calls.last?.tool == "report_findings")
        #expect(provider.runs.count == 2)
    }

    @Test func toolErrorsAreResultsNotFailedTasks() async throws {
        let provider = FakeCodeContext()
        let review = try LoopbackReview { call in
            switch call.turn {
            case 1:
                return .toolCalls([Self.call("read_function", #"{"name":"probe_0","depth":3}"#),
                                   Self.call("read_file", #"{"start":5}"#),
                                   Self.call("find_definition", #"{"name":"struct nowhere"}"#),
                                   Self.call("send_mail", #"{"to":"attacker@evil.example"}"#)])
            default:
                return ToolReply.findings([])
            }
        }
        defer { review.fake.stop() }
        let report = try await review.run(files: 1, configuration: Self.configuration(), provider: provider)
        #expect(report.failedTasks.isEmpty)
        let results = try #require(review.fake.exchanges.compactMap(\.call).last?.toolResults)
        #expect(results.map(\.isError) == [true, true, true, true])
        #expect(results[0].content.contains(#"read_function has no field "depth""#))
        #expect(results[1].content.contains(#"read_file needs "file""#))
        #expect(results[2].content.contains("no definition of struct nowhere"))
        #expect(results[3].content.contains(#"there is no tool named "send_mail""#))
        // Only the well-formed call reached the tree.
        #expect(provider.runs == [.findDefinition(name: "struct nowhere")])
    }

    @Test func reRunMakesNoAPICall() async throws {
        let provider = FakeCodeContext()
        let review = try LoopbackReview { call in
            switch call.turn {
            case 1: .toolCalls([Self.call("find_callers", #"{"name":"do_0"}"#)])
            case 2: .toolCalls([Self.call("read_function", #"{"name":"probe_0"}"#)])
            // Both tasks answer about f0.c; the task of f1.c drops it as not its file.
            default: ToolReply.finding(forFile: 0)
            }
        }
        defer { review.fake.stop() }
        let store = try StateStore(url: try temporaryDirectory().appendingPathComponent("state.sqlite"))
        var configuration = Self.configuration()
        configuration.recordFingerprints = false
        let first = try await review.run(files: 2, configuration: configuration, store: store, provider: provider)
        let sent = review.fake.exchanges.count
        #expect(sent == 6)
        let again = try await review.run(files: 2, configuration: configuration, store: store, provider: FakeCodeContext())
        #expect(review.fake.exchanges.count == sent, "a re-run must be answered from the response cache")
        #expect(again.apiCalls == 0)
        #expect(again.cacheHits == 6)
        #expect(again.patches[0].findings.map(\.fingerprint) == first.patches[0].findings.map(\.fingerprint))
        #expect(again.outcomes.allSatisfy { $0.status == .reviewed(fromCache: true) })
    }

    @Test func verifyRequestsCarryTheVerifyPromptAndTheContextTools() async throws {
        let provider = FakeCodeContext()
        let review = try LoopbackReview { call in
            switch call.tool {
            case "verify_finding" where call.turn == 1:
                return .toolCalls([Self.call("find_callers", #"{"name":"do_0"}"#)])
            case "verify_finding":
                return ToolReply.verdict("confirmed")
            default:
                return ToolReply.finding(forFile: 0)
            }
        }
        defer { review.fake.stop() }
        let report = try await review.run(files: 1, configuration: Self.configuration(verify: true), provider: provider)
        #expect(report.patches[0].findings.first?.verification == .confirmed(reason: "checked the error path"))
        let verify = review.fake.exchanges.filter { $0.call?.tool == "verify_finding" }
        #expect(verify.count == 2)
        for exchange in verify {
            let call = try #require(exchange.call)
            #expect(call.systemText.hasPrefix("VERIFY PROTOCOL"))
            #expect(!call.systemText.contains("\nPROTOCOL") && !call.systemText.hasPrefix("PROTOCOL"))
            #expect(call.tools == ["read_function", "find_definition", "find_callers", "grep", "read_file", "verify_finding"])
        }
        #expect(verify[1].call?.toolResults.first?.content.contains("bus_probe") == true)
        // Review requests keep the review protocol.
        let reviewCall = try #require(review.fake.exchanges.first?.call)
        #expect(reviewCall.systemText.hasPrefix("PROTOCOL"))
    }

    @Test func withoutATreeVerificationIsForcedAtOnceWithTheVerifyPrompt() async throws {
        let review = try LoopbackReview { call in
            call.tool == "verify_finding" ? ToolReply.verdict("uncertain") : ToolReply.finding(forFile: 0)
        }
        defer { review.fake.stop() }
        let report = try await review.run(files: 1, configuration: Self.configuration(verify: true))
        #expect(report.tree == nil)
        let verify = try #require(review.fake.exchanges.last?.call)
        #expect(verify.systemText.hasPrefix("VERIFY PROTOCOL"))
        #expect(verify.tools == ["verify_finding"])
        #expect(verify.choice == "tool")
        #expect(report.patches[0].findings.first?.verification == .uncertain(reason: "checked the error path"))
    }

    @Test func findingCitingCodeThatExistsNowhereIsDroppedAndCounted() async throws {
        let cited: JSONValue = FakeAPI.finding(
            file: "drivers/f0.c", anchor: "\tret = do_0(dev);",
            comment: "do_0() returns the error of `frobnicate_widget(dev)` without calling `kfree(buf_0)`; "
                + "priv->phantom_lock is never taken.")
        let sound: JSONValue = FakeAPI.finding(file: "drivers/f0.c", anchor: "\tif (ret)",
                                               comment: "When do_0() fails, buf_0 from alloc_0() leaks.")
        let review = try LoopbackReview { _ in ToolReply.findings([cited, sound]) }
        defer { review.fake.stop() }
        let provider = FakeCodeContext()
        let report = try await review.run(files: 1, configuration: Self.configuration(maxToolTurns: 0), provider: provider)
        let patch = report.patches[0]
        #expect(patch.findings.map(\.finding.anchor) == ["\tif (ret)"])
        #expect(patch.dropped.map(\.reason) == [.citesUnknownCode(names: ["phantom_lock", "frobnicate_widget"])])
        // Names the series itself shows are not looked up in the tree.
        #expect(!provider.existsAsked.contains("do_0"))

        // Without a tree the check is skipped: nothing could be concluded from the diff alone.
        let plain = try await review.run(files: 1, configuration: Self.configuration())
        #expect(plain.patches[0].findings.count == 2)
    }

    @Test func taskRequestCarriesTheContextAndWhatDidNotFit() async throws {
        let provider = FakeCodeContext(notApplied: [1: "error: patch failed: drivers/f1.c:20"])
        let review = try LoopbackReview { _ in ToolReply.findings([]) }
        defer { review.fake.stop() }
        let two = series([F.patch(files: 1), F.patch(files: 1)])
        let report = try await review.run(configuration: Self.configuration(maxToolTurns: 0), series: two,
                                          provider: provider)
        #expect(report.failedTasks.isEmpty)
        let users = review.fake.exchanges.compactMap(\.call?.userText)
        #expect(users.count == 2)
        let applied = try #require(users.first { !$0.contains("NOT APPLIED") })
        #expect(applied.contains("TREE base-commit: 1a2b3c4d1a2b (v6.1)"))
        #expect(applied.contains(" code: probe_0() in drivers/f0.c, after the patch\ndrivers/f0.c:12\nstatic int probe_0(void)"))
        #expect(applied.contains("- callers of do_0()"))
        let notApplied = try #require(users.first { $0.contains("NOT APPLIED") })
        #expect(notApplied.contains("error: patch failed: drivers/f1.c:20"))
        #expect(report.tree?.notApplied == [1: "error: patch failed: drivers/f1.c:20"])
    }
}
