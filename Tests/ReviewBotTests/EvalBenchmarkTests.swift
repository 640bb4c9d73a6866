import Foundation
import Testing
@testable import ReviewBotKit

/// Reading Sashiko-format benchmark files: lenient on extra keys, strict on the four it
/// needs, every bad row named by its place, the rest read.
@Suite struct EvalBenchmarkTests {
    static func row(_ commit: String, _ subsystem: String = "net", extra: String = "") -> String {
        #"{"Commit": "\#(commit)", "Fixed-by": "abcdef123456", "subsystem": "\#(subsystem)", "problem_description": "leak of foo in bar_probe()"\#(extra)}"#
    }

    @Test func readsAJSONArrayIgnoringExtraKeys() throws {
        let text = "[\n" + [Self.row("1234567890ab", extra: #", "Fixes": "x", "score": 3"#), Self.row("abcdef0123456789", "drm")]
            .joined(separator: ",\n") + "\n]\n"
        let bench = try EvalBenchmark.parse(Data(text.utf8), path: "bench.json")
        #expect(bench.rows.map(\.commit) == ["1234567890ab", "abcdef0123456789"])
        #expect(bench.rows.map(\.subsystem) == ["net", "drm"])
        #expect(bench.rows.allSatisfy { $0.line == nil })
        #expect(bench.badRows.isEmpty)
        #expect(bench.hash.count == 64)
    }

    @Test func readsJSONLinesAndNamesEveryBadRowByLine() throws {
        let lines = [
            Self.row("1234567890ab"),
            "",
            #"{"Commit": "1234567890ac", "subsystem": "net", "problem_description": "x"}"#,
            "not json at all",
            #"{"Commit": "--upload-pack=evil", "Fixed-by": "", "subsystem": "net", "problem_description": "x"}"#,
            #"{"Commit": 12, "Fixed-by": "", "subsystem": "net", "problem_description": "x"}"#,
            #"{"Commit": "1234567890ad", "Fixed-by": "", "subsystem": "net", "problem_description": "  "}"#,
            Self.row("1234567890ae", "mm"),
        ]
        let bench = try EvalBenchmark.parse(Data(lines.joined(separator: "\n").utf8), path: "bench.jsonl")
        #expect(bench.rows.map(\.commit) == ["1234567890ab", "1234567890ae"])
        #expect(bench.rows.map(\.line) == [1, 8])
        #expect(bench.rows.map(\.index) == [0, 6])
        #expect(bench.badRows.map(\.line) == [3, 4, 5, 6, 7])
        #expect(bench.badRows[0].reason == "no \"Fixed-by\"")
        #expect(bench.badRows[1].reason == "not a JSON object")
        #expect(bench.badRows[2].reason.hasPrefix("\"Commit\" is not a commit id"))
        #expect(bench.badRows[3].reason == "\"Commit\" is not a string")
        #expect(bench.badRows[4].reason == "\"problem_description\" is empty")
        #expect(bench.badRows[0].label == "row 2 (line 3)")
    }

    @Test func refusesAFileWithNoRowsOrABrokenArray() {
        #expect(throws: ReviewBotError.self) { try EvalBenchmark.parse(Data("\n\n".utf8), path: "empty.json") }
        #expect(throws: ReviewBotError.self) { try EvalBenchmark.parse(Data("[{\"Commit\": ".utf8), path: "cut.json") }
    }

    @Test func theSampleIsTheSameForTheSameSeedAndInFileOrder() throws {
        let rows = (0..<50).map { EvalRow(index: $0, commit: String(format: "%012x", $0 + 4096), fixedBy: "",
                                          subsystem: "s\($0 % 3)", problemDescription: "p") }
        let first = EvalSampling.sample(rows, count: 10, seed: 42)
        #expect(first.count == 10)
        #expect(first == EvalSampling.sample(rows, count: 10, seed: 42))
        #expect(first.map(\.index) == first.map(\.index).sorted())
        #expect(first != EvalSampling.sample(rows, count: 10, seed: 43))
        // Fixed by SplitMix64's constants: the same on every machine and Swift version.
        #expect(first.map(\.index) == EvalSamplingGolden.seed42)
        #expect(EvalSampling.sample(rows, count: 80, seed: 1) == rows)
    }
}

/// The sample `--sample 10 --seed 42` takes from 50 rows, computed by an independent
/// SplitMix64 and Fisher-Yates in Python; it must never move.
enum EvalSamplingGolden {
    static let seed42 = [0, 2, 3, 6, 11, 19, 20, 22, 31, 38]
}
