import Foundation
import ReviewEngine

/// One row of a benchmark in Sashiko's format: a commit that introduced a bug, the commit
/// that fixed it, the subsystem, and what the bug was.
public struct EvalRow: Sendable, Hashable, Codable {
    /// 0-based position among the file's rows, bad rows included: the row's key in the
    /// state database and in `eval.json`.
    public var index: Int
    /// The 1-based line the row starts on (JSON lines), or nil inside a JSON array.
    public var line: Int?
    public var commit: String
    public var fixedBy: String
    public var subsystem: String
    public var problemDescription: String

    public init(index: Int, line: Int? = nil, commit: String, fixedBy: String, subsystem: String,
                problemDescription: String) {
        self.index = index
        self.line = line
        self.commit = commit
        self.fixedBy = fixedBy
        self.subsystem = subsystem
        self.problemDescription = problemDescription
    }

    /// `row 3 (line 4)` or `row 3`, 1-based as a person counts.
    public var label: String { "row \(index + 1)" + (line.map { " (line \($0))" } ?? "") }
}

/// A row the reader could not use, with where it is and why.
public struct EvalBadRow: Sendable, Hashable, Codable {
    public var index: Int
    public var line: Int?
    public var reason: String

    public var label: String { "row \(index + 1)" + (line.map { " (line \($0))" } ?? "") }
}

/// Bounds on a benchmark file: it is downloaded from strangers.
public enum EvalLimits {
    /// Bytes of the file: Sashiko's 1,000 rows are well under a megabyte; 64 MB leaves room
    /// for benchmarks a hundred times larger.
    public static let maxFileBytes = 64 * 1_024 * 1_024
    /// Rows read; later ones are reported as left out. Ten times the largest published
    /// benchmark (1,000 rows) and far more than anyone pays to run.
    public static let maxRows = 100_000
    /// Bytes of a problem description: the ones published are a paragraph or two; 16 KB
    /// is some 4,000 tokens, the most one judge request should spend on the question.
    public static let maxDescriptionBytes = 16 * 1_024
    /// Characters of a subsystem name (`net`, `drm/amd`, `fs/btrfs`): it labels tables and
    /// the chart.
    public static let maxSubsystemCharacters = 64
    /// `--runs`: each run repeats every row; ten give a usable spread, more is spending.
    public static let maxRuns = 20
}

/// A benchmark file: a JSON array of rows, or JSON lines (one object per line), with the
/// keys `Commit`, `Fixed-by`, `subsystem` and `problem_description`. Extra keys are
/// ignored; a row missing one of these (or with a value of the wrong type) is listed with
/// its position and left out, and the rest are read.
public struct EvalBenchmark: Sendable {
    public var rows: [EvalRow]
    public var badRows: [EvalBadRow]
    /// SHA-256 of the file's bytes: the benchmark's identity in the state database.
    public var hash: String
    public var path: String

    static let requiredKeys = ["Commit", "Fixed-by", "subsystem", "problem_description"]

    public static func read(path: String) throws -> EvalBenchmark {
        let url = URL(fileURLWithPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else {
            throw ReviewBotError("cannot read the benchmark \(path): no such file")
        }
        guard size <= EvalLimits.maxFileBytes else {
            throw ReviewBotError("the benchmark \(path) is \(size) bytes, more than the \(EvalLimits.maxFileBytes) "
                + "a benchmark file may have; split it")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReviewBotError("cannot read the benchmark \(path): \(error.localizedDescription)")
        }
        return try parse(data, path: path)
    }

    /// Reads `data`: a JSON array when its first non-blank character is `[`, else JSON lines.
    public static func parse(_ data: Data, path: String) throws -> EvalBenchmark {
        var benchmark = EvalBenchmark(rows: [], badRows: [], hash: ContentDigest.sha256(data), path: path)
        let first = data.first { !(($0 == 0x20) || ($0 == 0x09) || ($0 == 0x0A) || ($0 == 0x0D)) }
        if first == UInt8(ascii: "[") {
            let items: [Any]
            do {
                guard let array = try JSONSerialization.jsonObject(with: data) as? [Any] else { throw CocoaError(.coderReadCorrupt) }
                items = array
            } catch {
                throw ReviewBotError("the benchmark \(path) starts like a JSON array but is not valid JSON "
                    + "(\(error.localizedDescription)); check it with python3 -m json.tool")
            }
            for (index, item) in items.enumerated() { benchmark.add(item, index: index, line: nil) }
        } else {
            var index = 0
            for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                guard line.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else { continue }
                let item = try? JSONSerialization.jsonObject(with: Data(line))
                if let item {
                    benchmark.add(item, index: index, line: number + 1)
                } else {
                    benchmark.badRows.append(EvalBadRow(index: index, line: number + 1, reason: "not a JSON object"))
                }
                index += 1
            }
        }
        guard !benchmark.rows.isEmpty || !benchmark.badRows.isEmpty else {
            throw ReviewBotError("the benchmark \(path) holds no rows; it should be a JSON array or JSON lines of "
                + "{\"Commit\", \"Fixed-by\", \"subsystem\", \"problem_description\"}")
        }
        return benchmark
    }

    private mutating func add(_ item: Any, index: Int, line: Int?) {
        func bad(_ reason: String) { badRows.append(EvalBadRow(index: index, line: line, reason: reason)) }
        guard rows.count + badRows.count < EvalLimits.maxRows else {
            bad("left out: a benchmark is read up to \(EvalLimits.maxRows) rows")
            return
        }
        guard let object = item as? [String: Any] else { return bad("not a JSON object") }
        var values: [String: String] = [:]
        for key in Self.requiredKeys {
            guard let value = object[key] else { return bad("no \"\(key)\"") }
            guard let text = value as? String else { return bad("\"\(key)\" is not a string") }
            values[key] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let commit = values["Commit"]!
        guard Self.isCommitID(commit) else {
            return bad("\"Commit\" is not a commit id (4 to 64 hex digits): \(commit.prefix(80).debugDescription)")
        }
        let description = values["problem_description"]!
        guard !description.isEmpty else { return bad("\"problem_description\" is empty") }
        guard description.utf8.count <= EvalLimits.maxDescriptionBytes else {
            return bad("\"problem_description\" is longer than \(EvalLimits.maxDescriptionBytes) bytes")
        }
        let subsystem = values["subsystem"]!
        rows.append(EvalRow(index: index, line: line, commit: commit.lowercased(), fixedBy: values["Fixed-by"]!,
                            subsystem: subsystem.isEmpty ? "(none)" : String(subsystem.prefix(EvalLimits.maxSubsystemCharacters)),
                            problemDescription: description))
    }

    /// A commit id as git accepts it: hex only, so a row can never pass an option or a
    /// revision expression to git.
    static func isCommitID(_ text: String) -> Bool {
        (4...64).contains(text.utf8.count) && text.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46)
        }
    }
}

/// `--sample K --seed S`: the same K rows for the same seed, on every machine.
public enum EvalSampling {
    /// `k` of `rows`, chosen by a Fisher-Yates shuffle driven by SplitMix64 seeded with
    /// `seed` (Swift's own generators are not specified to be stable across versions),
    /// returned in file order. All rows when `k` is not smaller.
    public static func sample(_ rows: [EvalRow], count k: Int, seed: UInt64) -> [EvalRow] {
        guard k < rows.count else { return rows }
        var generator = SplitMix64(seed: seed)
        var indices = Array(rows.indices)
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            indices.swapAt(i, j)
        }
        return indices.prefix(max(0, k)).sorted().map { rows[$0] }
    }

    /// Steele, Lea and Flood's SplitMix64: tiny, fast, and fully specified by its constants.
    struct SplitMix64 {
        var state: UInt64

        init(seed: UInt64) { state = seed }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
