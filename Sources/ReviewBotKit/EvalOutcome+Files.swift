import Foundation
import ReviewEngine

/// `eval.json`: every figure and every row, for scripts and for comparing runs.
struct EvalDocument: Encodable {
    struct Benchmark: Encodable {
        var path: String
        var sha256: String
        var rowsInFile: Int
        var rowsRun: Int
        var badRows: [EvalBadRow]
    }

    struct LeftOut: Encodable {
        var row: Int
        var commit: String
        var subsystem: String
        var status: String
        var detail: String
    }

    var benchmark: Benchmark
    var model: String
    var judgeModel: String
    var runs: Int
    /// What `unmatchedShare` means, in the file itself.
    var note: String
    var summary: EvalSummary
    /// Rows not counted: their commit is not in the tree, or their patch does not apply at
    /// its parent (as found in the first run that reached them).
    var leftOut: [LeftOut]
    var undone: [EvalRowUndone]
    var stoppedByBudget: Bool
    var failure: String?
    var results: [EvalRowResult]
}

extension EvalOutcome {
    static let unmatchedNote = "unmatchedShare is the share of kept findings that match no known problem of the "
        + "benchmark: an upper bound on the false-positive rate, since a finding may be right about a problem the "
        + "benchmark does not list"

    /// Rows left out (missing commit, patch not applying, no diff), once each.
    var leftOutRows: [EvalRowResult] {
        var seen = Set<Int>()
        return results.filter { !$0.isCounted && seen.insert($0.row).inserted }.sorted { $0.row < $1.row }
    }

    var document: EvalDocument {
        EvalDocument(
            benchmark: .init(path: benchmark.path, sha256: benchmark.hash,
                             rowsInFile: benchmark.rows.count + benchmark.badRows.count, rowsRun: rows.count,
                             badRows: benchmark.badRows),
            model: model, judgeModel: judgeModel, runs: runs, note: Self.unmatchedNote, summary: summary,
            leftOut: leftOutRows.map {
                .init(row: $0.row, commit: $0.commit, subsystem: $0.subsystem, status: $0.status.rawValue,
                      detail: $0.detail ?? "")
            },
            undone: undone, stoppedByBudget: stoppedByBudget, failure: failure,
            results: results.sorted { ($0.run, $0.row) < ($1.run, $1.row) })
    }

    /// The output file names in `--out DIR`.
    public static let fileNames = (json: "eval.json", markdown: "eval.md", chart: "eval-recall.svg")

    /// Writes `eval.json`, `eval.md` and the recall chart into `directory` (each file
    /// replaced whole, so a reader never sees half of one).
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let files: [(String, Data)] = [
            (Self.fileNames.json, try encoder.encode(document) + Data("\n".utf8)),
            (Self.fileNames.markdown, Data(markdown.utf8)),
            (Self.fileNames.chart, Data(EvalChart.recallBySubsystem(summary, runs: runs).utf8)),
        ]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (name, data) in files { try data.write(to: directory.appendingPathComponent(name), options: .atomic) }
        } catch {
            throw ReviewBotError("cannot write the eval's results into \(directory.path): \(error.localizedDescription)",
                                 kind: .unavailable)
        }
    }
}
