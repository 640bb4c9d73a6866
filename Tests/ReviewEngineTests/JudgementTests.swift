import Foundation
import Testing
@testable import ReviewEngine

/// `judge_detection` decoded as strictly as the review tools: the closed verdicts, an
/// integer index that names a finding shown (or -1 with missed), nothing else.
@Suite struct JudgementTests {
    func decode(_ json: String, count: Int = 2) throws(ToolInputError) -> Judgement {
        let value = try! JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try ToolInput.judgement(value, findings: count)
    }

    @Test func decodesEachVerdict() throws {
        #expect(try decode(#"{"verdict":"detected","finding":1,"reason":"same leak"}"#)
            == Judgement(verdict: .detected, finding: 1, reason: "same leak"))
        #expect(try decode(#"{"verdict":"partial","finding":0,"reason":"right place"}"#).finding == 0)
        #expect(try decode(#"{"verdict":"missed","finding":-1,"reason":"no"}"#)
            == Judgement(verdict: .missed, finding: nil, reason: "no"))
    }

    @Test func refusesWhatTheContractDoesNotAllow() {
        for bad in [
            #"{"verdict":"detected","finding":2,"reason":"x"}"#,      // no third finding
            #"{"verdict":"detected","finding":-1,"reason":"x"}"#,     // detected needs a finding
            #"{"verdict":"missed","finding":0,"reason":"x"}"#,        // missed names none
            #"{"verdict":"detected","finding":0.5,"reason":"x"}"#,    // not an integer
            #"{"verdict":"detected","finding":"0","reason":"x"}"#,
            #"{"verdict":"found","finding":0,"reason":"x"}"#,
            #"{"verdict":"detected","finding":0}"#,
            #"{"verdict":"detected","finding":0,"reason":"x","score":9}"#,
        ] {
            #expect(throws: ToolInputError.self, "\(bad)") { try decode(bad) }
        }
    }

    @Test func theToolIsTheContractsTool() throws {
        let tool = MessagesAPI.Tool.judgeDetection
        #expect(tool.name == "judge_detection")
        guard case .object(let schema) = tool.inputSchema, case .array(let required)? = schema["required"] else {
            Issue.record("no schema")
            return
        }
        #expect(Set(required) == [.string("verdict"), .string("finding"), .string("reason")])
        #expect(RequestPurpose.judgement.finalTool == tool)
    }
}
