import Foundation
import Testing
@testable import ReviewEngine

/// The pure parts of the tool loop: strict decoding of tool inputs, what a finding cites,
/// and the bounds on results.
@Suite struct ContextToolTests {
    func decode(_ tool: String, _ json: String) -> Result<ContextToolCall, ToolInputError> {
        let input = try! JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return Result { () throws(ToolInputError) in try ContextToolCall.decode(tool: tool, input: input) }
    }

    func error(_ tool: String, _ json: String) -> String? {
        if case .failure(let error) = decode(tool, json) { error.description } else { nil }
    }

    @Test func toolInputsDecodeStrictly() throws {
        #expect(try decode("read_function", #"{"name":"foo_probe","file":"drivers/foo.c","version":"base"}"#).get()
                == .readFunction(name: "foo_probe", file: "drivers/foo.c", version: .base))
        #expect(try decode("read_file", #"{"file":"a.c","start":10,"end":20}"#).get()
                == .readFile(file: "a.c", start: 10, end: 20, version: .patched))
        #expect(try decode("grep", #"{"pattern":"foo_(get|put)"}"#).get() == .grep(pattern: "foo_(get|put)", path: nil))
        #expect(error("read_file", #"{"file":"a.c","start":1.5}"#)?.contains("whole number") == true)
        #expect(error("read_file", #"{"file":"a.c","start":20,"end":10}"#)?.contains("before") == true)
        #expect(error("read_file", #"{"file":"a.c","start":"10"}"#)?.contains("not a number") == true)
        #expect(error("read_function", #"{"name":"f","version":"HEAD"}"#)?.contains("patched or base") == true)
        #expect(error("find_callers", #"{}"#) == #"find_callers needs "name""#)
        #expect(error("find_callers", #"{"name":""}"#)?.contains("is empty") == true)
        #expect(error("find_callers", #"["f"]"#) == "find_callers input is not an object")
        #expect(error("grep", "{\"pattern\":\"a\\u001b[2Jb\"}")?.contains("control character") == true)
        let long = String(repeating: "a", count: ContextToolLimits.maxArgumentBytes + 1)
        #expect(error("find_definition", "{\"name\":\"\(long)\"}")?.contains("longer than") == true)
    }

    @Test func contextToolSchemasMatchTheContract() throws {
        let names = MessagesAPI.Tool.contextTools.map(\.name)
        #expect(names == ["read_function", "find_definition", "find_callers", "grep", "read_file"])
        for tool in MessagesAPI.Tool.contextTools {
            guard case .object(let schema) = tool.inputSchema, case .object(let properties)? = schema["properties"] else {
                Issue.record("\(tool.name) has no properties")
                continue
            }
            // Every property the schema offers is one the decoder accepts, and no more.
            var input: [String: JSONValue] = [:]
            for (key, value) in properties {
                guard case .object(let property) = value else { continue }
                input[key] = property["type"] == "integer" ? .number(3) : key == "version" ? "base" : "x"
            }
            #expect(throws: Never.self) { try ContextToolCall.decode(tool: tool.name, input: .object(input)) }
            input["extra"] = "x"
            #expect(throws: ToolInputError.self) { try ContextToolCall.decode(tool: tool.name, input: .object(input)) }
        }
    }

    @Test func citationsAreCodeNotProse() {
        let cited = CodeCitations(
            comment: "The struct is freed twice: `snd_card_free(card)` runs after `kfree(chip)`, and if (err) "
                + "the error of foo_init() is lost; chip->irq_lock guards it. See `priv.dev_lock`, `SNDRV_PCM_POS_XRUN` "
                + "and `struct snd_pcm_runtime` in sound/core/pcm.c and `drivers/foo.c`.",
            evidence: "probe -> foo_init() -> `sizeof(*p)`; the call in `(void)bar_stop(x)`")
        #expect(cited.names == ["foo_init", "irq_lock", "snd_pcm_runtime", "snd_card_free", "kfree", "dev_lock",
                                "SNDRV_PCM_POS_XRUN", "bar_stop"])
        // Prose alone names nothing.
        #expect(CodeCitations(comment: "If the struct is freed here, the error path leaks it. Is this intended?",
                              evidence: nil).names.isEmpty)
        // Prose `struct` with an underscore name is code.
        #expect(CodeCitations(comment: "the struct snd_card outlives it", evidence: nil).names == ["snd_card"])
    }

    @Test func resultsAreCutAtALineEndAndTheTaskBudgetHolds() async {
        let provider = FakeCodeContext()
        let line = String(repeating: "x", count: 99) + "\n"
        provider.functions["huge"] = String(repeating: line, count: 400)  // 40,000 bytes
        let tree = ReviewTree(provider: provider, contexts: [:], budgetTokens: 0)
        var session = ToolSession()
        var results: [MessagesAPI.ToolResultBlock] = []
        for index in 0..<6 {
            // Different files, so no call repeats an earlier one.
            let use = MessagesAPI.ToolUseBlock(id: "toolu_\(index)", name: "read_function",
                                               input: ["name": "huge", "file": .string("f\(index).c")])
            results += await session.answer([use], tree: tree, patchIndex: 0)
        }
        #expect(results[0].isError == nil)
        #expect(results[0].content.contains("[cut: 16300 of 40000 bytes shown"))
        #expect(results[0].content.utf8.count < ToolLoopLimits.maxResultBytes + 300)
        #expect(session.bytesSent <= ToolLoopLimits.maxBytesPerTask + 6 * 200)
        #expect(results[5].isError == true)
        #expect(results[5].content.contains("tool output budget"))
        #expect(provider.runs.count < 6)
        // Too many calls in one turn: each gets an answer, the extra ones an error.
        var fresh = ToolSession()
        let many = (0..<10).map {
            MessagesAPI.ToolUseBlock(id: "toolu_\($0)", name: "grep", input: ["pattern": .string("p\($0)")])
        }
        let answers = await fresh.answer(many, tree: tree, patchIndex: 0)
        #expect(answers.map(\.toolUseID) == many.map(\.id))
        #expect(answers.map { $0.isError ?? false } == Array(repeating: false, count: 8) + [true, true])
    }
}
