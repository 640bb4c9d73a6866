import Foundation
import GitFixtures
import KernelTree
import MboxParser

/// The sample driver repository with its series parsed the way a review reads it, and a
/// cache directory of its own.
final class SampleSeries {
    let sample: SampleDriverRepository
    let cache: URL

    init() throws {
        sample = try SampleDriverRepository.make()
        cache = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-tree-cache-\(UUID().uuidString)")
    }

    deinit {
        sample.fixture.remove()
        try? FileManager.default.removeItem(at: cache)
    }

    var repository: String { sample.fixture.path }

    func open() throws -> KernelTree {
        try KernelTree.open(path: repository, cacheDirectory: cache.path)
    }

    /// The patches as `SeriesPatchInput`, from `git format-patch` output.
    static func inputs(_ mails: [String]) throws -> [SeriesPatchInput] {
        try mails.map { text in
            let message = SeriesMessage(try MailMessage(raw: text))
            let patch = message.patch ?? Patch()
            return SeriesPatchInput(diff: message.bodyText, files: patch.files, baseCommit: patch.baseCommit)
        }
    }

    /// The parsed patches, for building context requests from their hunks.
    static func patches(_ mails: [String]) throws -> [Patch] {
        try mails.map { SeriesMessage(try MailMessage(raw: $0)).patch ?? Patch() }
    }

    /// One request per patch holding all its hunks.
    static func requests(_ mails: [String]) throws -> [ContextRequest] {
        try patches(mails).enumerated().map { index, patch in
            ContextRequest(patchIndex: index, hunks: patch.files.flatMap { file in
                file.hunks.map { ContextRequest.Hunk(file: file.path, oldFile: file.oldPath ?? file.path, lines: $0.lines) }
            })
        }
    }
}
