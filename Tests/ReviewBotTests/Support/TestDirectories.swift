import Foundation
import ReviewEngine
@testable import ReviewBotKit

/// Scratch directories and state databases for tests, removed by the caller.
enum TestDirectories {
    static func make(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func store(in dir: URL) throws -> StateStore {
        try StateStore(url: dir.appendingPathComponent("state.sqlite"))
    }

    static let review = ReviewIdentity(series: "title:watchdog: s3c2410: Add Exynos850 support\u{0}semen.protsenko@linaro.org",
                                       revision: 1, title: "watchdog: s3c2410: Add Exynos850 support")

    /// Writes `drafts` (name, text) into `dir` as `reviewbot review` would: through
    /// OutputDirectory, with the manifest listing each as a draft of `review`.
    @discardableResult
    static func writeReview(_ drafts: [(String, String)], to dir: URL, review: ReviewIdentity = review,
                            extra: [OutputFile] = [], force: Bool = false) throws -> [String] {
        let files = drafts.map { name, text in
            let mail = try? OutgoingDraft(file: name, bytes: Data(text.utf8))
            return OutputFile(name: name, data: Data(text.utf8), messageID: mail?.messageID,
                              patchMessageID: mail?.patchMessageID)
        } + extra
        return try OutputDirectory(dir).write(files, review: review, force: force, date: Date(timeIntervalSince1970: 1_700_000_000))
    }

    /// Every regular file under `dir` (dot directories included) with its bytes.
    static func snapshot(_ dir: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(dir.standardizedFileURL.path.count + 1))
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }
}
