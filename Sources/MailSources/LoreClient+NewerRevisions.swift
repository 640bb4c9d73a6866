import Foundation

/// A later posting of the same series found by lore's search.
public struct NewerRevision: Sendable, Hashable {
    public var revision: Int
    public var subject: String
    public var messageID: String
}

extension LoreClient {
    /// Asks lore's search for postings of `thread`'s series with a higher revision (`vN`).
    /// The query is `s:"TITLE" AND d:YYYYMMDD..` built from the newest patch or cover letter
    /// in the thread.
    public func newerRevisions(of thread: Data, list: String?, baseURL: String? = nil) async throws -> [NewerRevision] {
        let postings = RawMailHeaders.messages(in: thread).compactMap(SeriesSubject.init)
        guard let highest = postings.map(\.revision).max() else { return [] }
        let latest = postings.filter { $0.revision == highest }
        let current = latest.first(where: \.isCover) ?? latest[0]
        var query = "s:\"\(current.title.replacingOccurrences(of: "\"", with: ""))\""
        if let date = current.date {
            query += " AND d:\(Self.searchDate.string(from: date)).."
        }
        guard let results = try await search(query, list: list, baseURL: baseURL) else { return [] }
        var seen = Set<String>()
        return RawMailHeaders.messages(in: results).compactMap(SeriesSubject.init)
            .filter { $0.revision > current.revision && $0.title.lowercased() == current.title.lowercased() }
            .filter { seen.insert($0.messageID).inserted }
            .map { NewerRevision(revision: $0.revision, subject: $0.subject, messageID: $0.messageID) }
    }

    static let searchDate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd"
        return formatter
    }()
}

/// The series facts in a patch subject that the search needs: revision and title. Replies
/// (`Re:`) and mails without a `PATCH`/`RFC` tag are not postings.
struct SeriesSubject {
    var subject: String
    var revision: Int
    var title: String
    var messageID: String
    var date: Date?
    /// `0/N`: the cover letter, whose title names the series.
    var isCover = false

    init?(_ headers: RawMailHeaders) {
        guard let subject = headers["Subject"] else { return nil }
        var rest = Substring(subject.trimmingCharacters(in: .whitespaces))
        guard !rest.lowercased().hasPrefix("re:"), rest.hasPrefix("[") else { return nil }
        var revision = 1
        var isPatch = false
        while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let tag = rest[rest.index(after: rest.startIndex)..<close].uppercased()
            for token in tag.split(whereSeparator: { $0 == " " || $0 == "," }) {
                if token.hasPrefix("PATCH") || token == "RFC" { isPatch = true }
                if let slash = token.firstIndex(of: "/"), token[..<slash].allSatisfy({ $0 == "0" }), slash > token.startIndex {
                    isCover = true
                }
                let versionText = token.hasPrefix("PATCHV") ? token.dropFirst(6) : token.hasPrefix("V") ? token.dropFirst() : ""
                if let number = Int(versionText.prefix { $0.isNumber }), !versionText.isEmpty { revision = number }
            }
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        guard isPatch, !rest.isEmpty else { return nil }
        self.subject = subject
        self.revision = revision
        self.title = String(rest)
        self.messageID = MessageID.bare(headers["Message-ID"] ?? "")
        self.date = headers["Date"].flatMap(RawMailHeaders.parseDate)
    }
}

/// Just enough header reading for search results: message boundaries of lore's mboxrd and
/// a few unfolded header values. The full parser lives in MboxParser.
struct RawMailHeaders {
    private var fields: [(String, String)]

    subscript(_ name: String) -> String? {
        fields.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    static func messages(in mbox: Data) -> [RawMailHeaders] {
        var result: [RawMailHeaders] = []
        var current: [(String, String)]?
        var inHeaders = false
        // Split bytes, not Characters: "\r\n" is a single Character in Swift.
        for rawLine in mbox.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = Substring(String(decoding: rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine, as: UTF8.self))
            if line.hasPrefix("From mboxrd@z ") || (current == nil && line.hasPrefix("From ")) {
                if let current { result.append(RawMailHeaders(fields: current)) }
                current = []
                inHeaders = true
                continue
            }
            guard inHeaders else { continue }
            if line.isEmpty { inHeaders = false; continue }
            if line.first == " " || line.first == "\t", let last = current?.indices.last {
                current![last].1 += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                current?.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        if let current { result.append(RawMailHeaders(fields: current)) }
        return result
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let cleaned = text.split(separator: "(")[0].trimmingCharacters(in: .whitespaces)
        for format in ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: cleaned) { return date }
        }
        return nil
    }
}
