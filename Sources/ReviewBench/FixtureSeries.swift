import Foundation
import LoopbackServers
import MboxParser
import ReviewEngine

/// A patch series read from a public-inbox thread fixture. MboxParser has no mail reader on
/// main yet, so this does the minimum itself: split on `From mboxrd@z` lines, unfold the
/// `Subject:` header, keep `[PATCH ... n/m]` messages that are not replies, take the body
/// after the first blank line with mboxrd `>From` quoting undone, and hand it to
/// `PatchParser`. Transfer encodings are not decoded (the series used here is 7bit/8bit).
struct FixtureSeries {
    var file: URL
    var cover: String?
    var patches: [(title: String, body: String, patch: Patch)]

    var count: Int { patches.count }

    init(file: URL) throws {
        self.file = file
        var byNumber: [Int: (title: String, body: String)] = [:]
        for raw in FakeLore.split(try Data(contentsOf: file)) {
            let text = String(decoding: raw, as: UTF8.self)
            guard let headEnd = text.range(of: "\n\n") else { continue }
            guard let subject = Self.subject(in: String(text[..<headEnd.lowerBound])),
                  let (number, title) = Self.patchNumber(subject), byNumber[number] == nil else { continue }
            byNumber[number] = (title, Self.unquoteMboxrd(String(text[headEnd.upperBound...])))
        }
        cover = byNumber[0]?.body
        patches = byNumber.keys.sorted().filter { $0 > 0 }.map { number in
            let (title, body) = byNumber[number]!
            return (title, body, PatchParser.parse(body: body))
        }
    }

    /// The largest series among the `thread-*.mbox` fixtures under `directory`.
    static func largest(under directory: URL) throws -> FixtureSeries {
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }
            .filter { $0.lastPathComponent.hasPrefix("thread-") && $0.pathExtension == "mbox" } ?? []
        let series = try files.sorted { $0.path < $1.path }.map(FixtureSeries.init(file:))
        guard let best = series.max(by: { $0.count < $1.count }), best.count > 0 else {
            throw BenchError("no patch series under \(directory.path)")
        }
        return best
    }

    func reviewSeries() -> ReviewSeries {
        ReviewSeries(identity: SeriesIdentity(key: "bench:" + file.lastPathComponent, revision: 1),
                     coverLetter: cover,
                     patches: patches.map { SeriesPatch(title: $0.title, patch: $0.patch) })
    }

    static func subject(in head: String) -> String? {
        var value: String?
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if value != nil {
                guard line.first == " " || line.first == "\t" else { break }
                value! += " " + line.trimmingCharacters(in: .whitespaces)
            } else if line.lowercased().hasPrefix("subject:") {
                value = line.dropFirst("subject:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        return value
    }

    /// `[PATCH v2 03/12] title` -> (3, "title"); nil for replies and messages without n/m.
    static func patchNumber(_ subject: String) -> (Int, String)? {
        guard subject.hasPrefix("["), let close = subject.firstIndex(of: "]") else { return nil }
        let tag = subject[subject.index(after: subject.startIndex)..<close]
        guard tag.uppercased().hasPrefix("PATCH"), let counter = tag.split(separator: " ").last,
              let slash = counter.firstIndex(of: "/"), let number = Int(counter[..<slash]) else { return nil }
        return (number, subject[subject.index(after: close)...].trimmingCharacters(in: .whitespaces))
    }

    static func unquoteMboxrd(_ body: String) -> String {
        body.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            let stripped = line.drop { $0 == ">" }
            return stripped.hasPrefix("From ") && stripped.count < line.count ? line.dropFirst() : line
        }.joined(separator: "\n")
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
