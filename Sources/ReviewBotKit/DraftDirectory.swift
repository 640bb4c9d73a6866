import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The drafts `send` and `drafts push` may take from DIR: those its manifest lists for the
/// latest review, and nothing else.
struct DraftDirectory {
    var url: URL

    init(_ url: URL) { self.url = url }

    /// Reads and checks every listed draft; a listed draft the maintainer deleted is
    /// simply not there to send. Throws when DIR has no manifest.
    func readLatestReview() throws -> (OutputManifest, [OutgoingDraft], [String]) {
        guard let manifest = try OutputManifest.read(in: url) else {
            throw ReviewBotError("\(url.path) has no \(OutputManifest.directoryName)/\(OutputManifest.fileName), so reviewbot cannot tell which .eml files belong to the latest review; write the drafts with reviewbot review --out \(url.path) (over an older directory: add --force), or send these files with git send-email")
        }
        let listed = Set(manifest.drafts.map(\.name))
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }
        } catch {
            throw ReviewBotError("cannot read drafts directory \(url.path): \(error.localizedDescription)", kind: .unavailable)
        }
        let strays = names.filter { $0.hasSuffix(".eml") && !listed.contains($0) }.sorted()
        let drafts = try manifest.drafts.map(\.name).filter(names.contains).map(readDraft)
        guard !drafts.isEmpty else {
            throw ReviewBotError("no drafts to send in \(url.path): the latest review (\(manifest.review.description)) has none left")
        }
        return (manifest, drafts, strays)
    }

    /// A regular file of at most `OutgoingDraft.maxDraftBytes`, parsed strictly.
    func readDraft(_ name: String) throws -> OutgoingDraft {
        let path = url.appendingPathComponent(name).path
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ReviewBotError("\(path) is not a regular file; a draft must be one")
        }
        guard Int(info.st_size) <= OutgoingDraft.maxDraftBytes else {
            throw ReviewBotError("\(path) is larger than \(OutgoingDraft.maxDraftBytes) bytes, so not a draft reviewbot wrote")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReviewBotError("cannot read \(path): \(error.localizedDescription)", kind: .unavailable)
        }
        return try OutgoingDraft(file: name, bytes: data)
    }
}
