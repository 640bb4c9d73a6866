import Foundation

/// Where the fixtures and golden files live, found from this file so tests run from any
/// working directory and never need anything outside the repository.
enum GoldenFiles {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let numstat = testsDirectory.appendingPathComponent("Golden/numstat")
    static let patchStructure = testsDirectory.appendingPathComponent("Golden/patch-structure")

    /// Set REVIEWBOT_RECORD=1 to rewrite golden files from the current output.
    static var isRecording: Bool { ProcessInfo.processInfo.environment["REVIEWBOT_RECORD"] == "1" }

    /// Names (without extension) of the messages scripts/numstat-golden recorded.
    static func numstatStems() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: numstat.path)) ?? []
        return names.filter { $0.hasSuffix(".patch") }.map { String($0.dropLast(6)) }.sorted()
    }

    static func read(_ url: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func numstatFile(_ stem: String, _ ext: String) -> URL {
        numstat.appendingPathComponent("\(stem).\(ext)")
    }
}
