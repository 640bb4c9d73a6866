import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

@Suite struct WireTests {
    func object(_ data: Data) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func multiTaskSeries() -> (ReviewSeries, ReviewPlan) {
        let patch = Patch(commitMessage: "Fix the probe error path.\n\nSigned-off-by: A <a@example.org>",
                          diffstat: [" drivers/a.c | 3 ++-", " 1 file changed"],
                          files: [fileDiff("drivers/a.c", (0..<3).map { index in
                              hunk(oldStart: 10 + 100 * index, newStart: 10 + 100 * index,
                                   function: "int f\(index)(void)", (0..<5).map { "+line \(index) \($0)" })
                          })])
        let reviewSeries = series([patch])
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = 5
        return (reviewSeries, ReviewPlan.make(series: reviewSeries, options: options))
    }

    @Test func reviewRequestUsesTheAPIFieldNames() throws {
        let (reviewSeries, plan) = multiTaskSeries()
        let prefix = PromptAssembly.prefix(bundle: testPrompts, series: reviewSeries, patchIndex: 0)
        let request = try PromptAssembly.reviewRequest(task: plan.tasks[0], prefix: prefix, bundle: testPrompts,
                                                   settings: RequestSettings(model: "claude-sonnet-4-5", maxTokens: 2_000))
        let json = try object(try request.encoded())
        #expect(Set(json.keys) == ["model", "max_tokens", "system", "messages", "tools", "tool_choice"])
        #expect(json["max_tokens"] as? Int == 2_000)
        #expect(json["tool_choice"] as? [String: String] == ["type": "tool", "name": "report_findings"])
        let system = try #require(json["system"] as? [[String: Any]])
        #expect(system.map { $0["text"] as? String } == ["PROTOCOL", "FALSE POSITIVES", "SPEC net", "SPEC locking"])
        #expect(system.allSatisfy { $0["type"] as? String == "text" })
        // Breakpoints after the guides and after the specs; the third ends the series
        // context that opens the user turn. No task is cached without a tool loop.
        #expect(system.indices.filter { system[$0]["cache_control"] != nil } == [1, 3])
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        #expect(messages[0]["role"] as? String == "user")
        let content = try #require(messages[0]["content"] as? [[String: Any]])
        #expect(content.count == 2)
        #expect(content[0]["text"] as? String == "SERIES CONTEXT")
        #expect(content[0]["cache_control"] as? [String: String] == ["type": "ephemeral"])
        #expect(content[1]["cache_control"] == nil)
        let user = try #require(content[1]["text"] as? String)
        let id = MaterialFence.id(for: plan.tasks[0].renderedDiff)
        #expect(user.hasPrefix("REVIEW THIS\n\n" + MaterialFence.openLine(id: id) + " diff of this task\ndiff --git a/drivers/a.c b/drivers/a.c\n"))
        #expect(user.hasSuffix(MaterialFence.closeLine(id: id)))
        #expect(user.contains("+line 0 4\n"))
        #expect(!user.contains("line 1 0"))
    }

    @Test func tasksOfOnePatchShareThePrefixByteForByte() throws {
        let (reviewSeries, plan) = multiTaskSeries()
        #expect(plan.tasks.count == 3)
        let settings = RequestSettings(model: "m")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var prefixes: Set<Data> = []
        var bodies: Set<Data> = []
        for task in plan.tasks {
            // Built afresh for each task, as a separate run would.
            let prefix = PromptAssembly.prefix(bundle: testPrompts, series: reviewSeries, patchIndex: 0)
            let request = try PromptAssembly.reviewRequest(task: task, prefix: prefix, bundle: testPrompts, settings: settings)
            prefixes.insert(try encoder.encode(request.system) + encoder.encode(request.messages[0].content[0]))
            bodies.insert(try request.encoded())
        }
        #expect(prefixes.count == 1)
        #expect(bodies.count == 3)
    }

    @Test func toolSchemasFollowTheContract() throws {
        let tools = try object(try CanonicalJSON.encode(["tools": [MessagesAPI.Tool.reportFindings, .verifyFinding]]))
        let list = try #require(tools["tools"] as? [[String: Any]])
        #expect(list.map { $0["name"] as? String } == ["report_findings", "verify_finding"])
        let report = try #require(list[0]["input_schema"] as? [String: Any])
        #expect(report["required"] as? [String] == ["findings"])
        let items = try #require(((report["properties"] as? [String: Any])?["findings"] as? [String: Any])?["items"] as? [String: Any])
        #expect(items["required"] as? [String] == ["file", "anchor", "category", "severity", "comment"])
        let properties = try #require(items["properties"] as? [String: [String: Any]])
        #expect(Set(properties.keys) == ["file", "anchor", "category", "severity", "comment", "evidence"])
        #expect(properties["category"]?["enum"] as? [String] == [
            "resource-leak", "use-after-free", "double-free", "null-deref", "race", "locking", "error-handling",
            "bounds", "integer-overflow", "uninitialized", "api-misuse", "logic", "concurrency", "security",
            "commit-message", "style", "other",
        ])
        #expect(properties["severity"]?["enum"] as? [String] == ["low", "medium", "high"])
        let verify = try #require(list[1]["input_schema"] as? [String: Any])
        #expect(verify["required"] as? [String] == ["verdict", "reason"])
        #expect(((verify["properties"] as? [String: [String: Any]])?["verdict"]?["enum"]) as? [String]
            == ["confirmed", "refuted", "uncertain"])
    }

    @Test func responseAndErrorBodiesDecode() throws {
        let body = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
         "content":[{"type":"text","text":"Checking."},{"type":"thinking","thinking":"..."},
                    {"type":"tool_use","id":"toolu_9","name":"report_findings","input":{"findings":[]}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":12,"cache_creation_input_tokens":3000,"cache_read_input_tokens":0,"output_tokens":40}}
        """
        let response = try JSONDecoder().decode(MessagesAPI.Response.self, from: Data(body.utf8))
        #expect(response.stopReason == "tool_use")
        #expect(response.content.count == 3)
        #expect(response.content[1] == .other(type: "thinking"))
        #expect(response.toolInput(named: "report_findings") == ["findings": []])
        #expect(response.toolInput(named: "verify_finding") == nil)
        #expect(TokenUsage(response.usage) == TokenUsage(input: 12, cacheWrite: 3000, cacheRead: 0, output: 40))

        let error = Data(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8)
        let failure = AttemptFailure(answer: HTTPAnswer(status: 529, headers: ["Request-Id": "req_1", "Retry-After": "3"], body: error))
        #expect(failure == .http(status: 529, errorType: "overloaded_error", message: "Overloaded",
                                 retryAfter: .seconds(3), requestID: "req_1"))
        #expect(failure.description == "HTTP 529 overloaded_error: Overloaded (request-id req_1)")
    }
}
