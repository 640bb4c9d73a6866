import Foundation
import MailSources
import MboxParser

/// Which series of a source to work on. With neither a message-id nor a pattern the
/// source must hold one series (any number of its revisions); a source with several
/// is never narrowed down silently.
public struct SeriesChoice: Sendable, Equatable {
    /// `--msgid`: the series holding this message (with or without `<>`).
    public var messageID: String?
    /// `--match`: the one series whose title (or subject) this regular expression finds,
    /// ignoring case.
    public var match: String?
    /// `--revision`: this revision (the N of vN) of the chosen series instead of the newest.
    public var revision: Int?

    public init(messageID: String? = nil, match: String? = nil, revision: Int? = nil) {
        self.messageID = messageID
        self.match = match
        self.revision = revision
    }

    var isEmpty: Bool { messageID == nil && match == nil }
}

/// Every series a source holds, each as the newest revision found, with what a user
/// needs to pick one: title, revision, author, complete or not, and the message-id that
/// selects it.
public struct SeriesCatalog: Sendable {
    public struct Entry: Sendable, Equatable {
        /// 1-based, in source order.
        public var number: Int
        public var series: PatchSeries
        /// The message-id `--msgid` takes to select exactly this series: the cover
        /// letter's, else the first patch's.
        public var selector: String?
        public var author: MailAddress?
        /// Every revision of this series in the source, as `SeriesAssembler` candidates.
        var revisions: [Int]

        public var title: String { series.cover?.subject.title ?? series.patches.first?.subject.title ?? "" }

        public var subject: String { series.cover?.message.subject ?? series.patches.first?.message.subject ?? "" }

        public var revisionLabel: String { series.fractionalRevision.map { "v\($0)" } ?? "v\(series.revision)" }

        /// `net-next-foo-add-bar`: the title for a directory name, at most 48 characters.
        public var slug: String {
            var out = ""
            for scalar in title.lowercased().unicodeScalars {
                if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if !out.isEmpty, !out.hasSuffix("-") {
                    out += "-"
                }
            }
            while out.hasSuffix("-") { out.removeLast() }
            let cut = String(out.prefix(48))
            return cut.hasSuffix("-") ? String(cut.dropLast()) : (cut.isEmpty ? "series" : cut)
        }

        /// Three lines for a terminal.
        public var listing: String {
            let state = series.isComplete
                ? "complete"
                : "INCOMPLETE, missing " + series.missing.map { "\($0)/\(series.total)" }.joined(separator: ", ")
            let who = author.map { $0.name.isEmpty ? $0.email : "\($0.name) <\($0.email)>" } ?? "unknown author"
            let others = series.otherVersions.isEmpty ? "" : "; also " + series.otherVersions.map { "v\($0)" }
                .joined(separator: ", ")
            return """
                \(number). \(revisionLabel) \(title)
                   \(who); \(series.patches.count) of \(series.total) patches, \(state)\(others)
                   --msgid \(selector ?? "(no message-id: use --match)")
                """
        }
    }

    public let entries: [Entry]
    let assembler: SeriesAssembler

    public init(messages: [SeriesMessage]) {
        assembler = SeriesAssembler(messages: messages)
        var entries: [Entry] = []
        for group in assembler.seriesGroups {
            guard let newest = assembler.newestCandidate(in: group) else { continue }
            let series = assembler.candidates[newest]
            let first = series.cover?.message ?? series.patches.first?.message
            let selector = series.cover?.message.messageID ?? series.patches.first { $0.message.messageID != nil }?
                .message.messageID
            entries.append(Entry(number: entries.count + 1, series: series, selector: selector,
                                 author: first?.author, revisions: group))
        }
        self.entries = entries
    }

    /// Every series, for a terminal.
    public var listing: String { entries.map(\.listing).joined(separator: "\n") + "\n" }

    /// The series `choice` names in `source`. `namedMessage` is the message a lore URL or
    /// message-id source names: it picks among several series as `--msgid` would, but
    /// keeps b4's choice of the newest revision.
    public func choose(_ choice: SeriesChoice, source: String, namedMessage: String? = nil) throws -> PatchSeries {
        guard !entries.isEmpty else {
            throw ReviewBotError("no patches in \(source): only replies, pull requests or cover letters", kind: .noPatches)
        }
        if let messageID = choice.messageID {
            guard let revision = choice.revision else {
                return try select(version: nil, messageID: messageID, source: source)
            }
            let holders = Set(assembler.candidates(holding: messageID))
            guard let entry = entries.first(where: { $0.revisions.contains(where: holders.contains) }) else {
                return try select(version: revision, messageID: messageID, source: source)
            }
            return try self.revision(revision, of: entry, source: source)
        }
        var pool = entries
        if let pattern = choice.match {
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            } catch {
                throw ReviewBotError("--match \(pattern) is not a regular expression: \(error.localizedDescription)")
            }
            pool = entries.filter { entry in
                [entry.title, entry.subject].contains { text in
                    regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                }
            }
            guard !pool.isEmpty else {
                throw SeveralSeriesError(message: "no series in \(source) matches --match \(pattern); it holds:",
                                         catalog: self)
            }
        } else if entries.count > 1, let namedMessage {
            let holders = Set(assembler.candidates(holding: namedMessage))
            let named = entries.filter { $0.revisions.contains(where: holders.contains) }
            if named.count == 1 { pool = named }
        }
        guard pool.count == 1, let entry = pool.first else {
            let what = choice.match.map { "\(pool.count) series in \(source) match --match \($0)" }
                ?? "\(source) holds \(entries.count) series"
            throw SeveralSeriesError(message: "\(what); pick one with --msgid ID or --match REGEX:",
                                     catalog: SeriesCatalog(entries: pool, assembler: assembler))
        }
        guard let revision = choice.revision else { return entry.series }
        return try self.revision(revision, of: entry, source: source)
    }

    /// Revision `wanted` of the series `entry`, never of another series in the source.
    private func revision(_ wanted: Int, of entry: Entry, source: String) throws -> PatchSeries {
        let matching = entry.revisions.filter { assembler.candidates[$0].revision == wanted }
        guard let pick = assembler.newestCandidate(in: matching) else {
            let held = Set(entry.revisions.map { assembler.candidates[$0].revision }).sorted().map { "v\($0)" }
            throw ReviewBotError("no v\(wanted) of \(entry.title) in \(source); it holds "
                + held.joined(separator: ", "))
        }
        return assembler.candidates[pick]
    }

    private init(entries: [Entry], assembler: SeriesAssembler) {
        self.entries = entries
        self.assembler = assembler
    }

    private func select(version: Int?, messageID: String, source: String) throws -> PatchSeries {
        switch assembler.select(version: version, messageID: messageID) {
        case .found(let series):
            return series
        case .noPatches:
            throw ReviewBotError("no patches in \(source) near <\(messageID)>: only replies, pull requests or cover letters",
                                 kind: .noPatches)
        case .noSuchVersion(let wanted, let available):
            throw ReviewBotError("no v\(wanted) in \(source); it holds "
                + (available.isEmpty ? "no other revision" : available.map { "v\($0)" }.joined(separator: ", ")))
        case .noSuchMessage(let id):
            throw ReviewBotError("message <\(id)> is not in \(source); check the message-id")
        }
    }
}

/// A source holding several series (or none that matched) with no choice made: the
/// message, and the series to choose from, which the command prints below it.
public struct SeveralSeriesError: Error, CustomStringConvertible {
    public var message: String
    public var catalog: SeriesCatalog

    public var description: String { message }
}

extension SourceReader {
    /// The message a SOURCE names itself (a lore URL or a bare message-id), if any.
    public static func namedMessage(_ source: String) -> String? {
        if case .lore(let reference)? = try? SourceSpec.parse(source) { return reference.messageID }
        return nil
    }
}
