import Foundation

/// Which review an output directory holds: the series (its b4 change-id, or title and
/// author) and the revision. Two runs with the same identity are the same review done
/// again; anything else is another review.
public struct ReviewIdentity: Codable, Sendable, Equatable {
    /// `SeriesIdentity.key`.
    public var series: String
    public var revision: Int
    /// For people: the series title as the cover letter or first patch gives it.
    public var title: String

    public init(series: String, revision: Int, title: String) {
        self.series = series
        self.revision = revision
        self.title = title
    }

    public var description: String { "'\(title)' v\(revision)" }
}

/// `DIR/.reviewbot/manifest.json`: what `reviewbot review` last wrote into DIR, with each
/// file's SHA-256 at the time. A file whose hash no longer matches was edited by the
/// maintainer; a listed file that is gone was deleted by them. Neither is overwritten or
/// brought back without `--force`, and `send` and `drafts push` take only the drafts
/// listed here, so drafts of two reviews never mix.
public struct OutputManifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var sha256: String
        /// For a reply (`.eml`): its Message-ID (with brackets) and the patch it answers.
        public var messageID: String?
        public var patchMessageID: String?

        public init(name: String, sha256: String, messageID: String? = nil, patchMessageID: String? = nil) {
            self.name = name
            self.sha256 = sha256
            self.messageID = messageID
            self.patchMessageID = patchMessageID
        }

        public var isDraft: Bool { name.hasSuffix(".eml") }
    }

    /// Bumped when the layout changes; a newer one is refused, not misread.
    public static let currentFormat = 1
    public static let directoryName = ".reviewbot"
    public static let fileName = "manifest.json"
    /// Larger manifests are not read: one line per file of a review (thousands of patches
    /// give a few hundred KB).
    static let maxBytes = 16 * 1024 * 1024

    public var format = OutputManifest.currentFormat
    public var review: ReviewIdentity
    public var writtenAt: Date
    public var files: [File]

    public init(review: ReviewIdentity, writtenAt: Date, files: [File]) {
        self.review = review
        self.writtenAt = writtenAt
        self.files = files.sorted { $0.name < $1.name }
    }

    public func file(_ name: String) -> File? { files.first { $0.name == name } }

    /// The replies, in name order.
    public var drafts: [File] { files.filter(\.isDraft) }

    public static func url(in directory: URL) -> URL {
        directory.appendingPathComponent(directoryName).appendingPathComponent(fileName)
    }

    /// The manifest of `directory`; nil when it has none.
    public static func read(in directory: URL) throws -> OutputManifest? {
        let url = url(in: directory)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard (attributes[.size] as? Int ?? 0) <= maxBytes else {
                throw ReviewBotError("\(url.path) is larger than \(maxBytes) bytes; it is not a manifest reviewbot wrote")
            }
            data = try Data(contentsOf: url)
        } catch let error as ReviewBotError {
            throw error
        } catch {
            throw ReviewBotError("cannot read \(url.path): \(error.localizedDescription)", kind: .unavailable)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: OutputManifest
        do {
            manifest = try decoder.decode(OutputManifest.self, from: data)
        } catch {
            throw ReviewBotError("\(url.path) is damaged (\(error.localizedDescription)); move it away and run reviewbot review --out \(directory.path) --force")
        }
        guard manifest.format <= currentFormat else {
            throw ReviewBotError("\(url.path) was written by a newer reviewbot (format \(manifest.format)); use that version")
        }
        return manifest
    }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { $0 + Data("\n".utf8) } ?? Data()
    }
}
