import Foundation

/// CPU time of this process: the machine is shared, so wall time would measure the
/// neighbours as much as the parser.
private func cpuSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Throughput (per CPU second) of PatchParser.parse on the decoded fixture bodies (scripts/bench-patchparser
/// compiles this with the MboxParser sources, optimised, and compares with git apply).
@main
struct PatchParserBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let targetMB = Double(arguments[2]) else {
            print("usage: bench <golden numstat dir> <MB to parse>")
            exit(2)
        }
        let directory = URL(fileURLWithPath: arguments[1])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".body") }.sorted()
        let bodies = try names.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        let setBytes = bodies.reduce(0) { $0 + $1.utf8.count }
        let largest = try require(bodies.max { $0.utf8.count < $1.utf8.count })

        func measure(_ set: [String], bytesPerRound: Int) -> (Double, Int) {
            let rounds = max(1, Int(targetMB * 1_000_000) / bytesPerRound)
            var files = 0
            let start = cpuSeconds()
            for _ in 0..<rounds {
                for body in set { files &+= PatchParser.parse(body: body).files.count }
            }
            let seconds = cpuSeconds() - start
            return (Double(rounds * bytesPerRound) / 1e6 / seconds, files)
        }
        _ = measure(bodies, bytesPerRound: setBytes)  // warm up
        let (all, files) = measure(bodies, bytesPerRound: setBytes)
        let (big, _) = measure([largest], bytesPerRound: largest.utf8.count)
        print(String(format: "patchparser all %d bodies (%.1f KB each on average): %.0f MB/s (%d files parsed)",
                     bodies.count, Double(setBytes) / Double(bodies.count) / 1000, all, files))
        print(String(format: "patchparser largest body (%.0f KB): %.0f MB/s", Double(largest.utf8.count) / 1000, big))
    }
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw CocoaError(.fileReadCorruptFile) }
    return value
}
