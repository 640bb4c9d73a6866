import Foundation
import MboxParser

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
        let postings = Posting.all(in: thread, name: "thread")
        guard let highest = postings.map(\.revision).max() else { return [] }
        let latest = postings.filter { $0.revision == highest }
        let current = latest.first(where: \.isCover) ?? latest[0]
        var query = "s:\"\(current.title.replacingOccurrences(of: "\"", with: ""))\""
        if let date = current.date {
            query += " AND d:\(Self.searchDate.string(from: date)).."
        }
        guard let results = try await search(query, list: list, baseURL: baseURL) else { return [] }
        var seen = Set<String>()
        return Posting.all(in: results, name: "lore search results")
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

/// A patch or cover letter as the search needs it: revision, title, date. Replies and
/// mails without a patch tag are not postings.
struct Posting {
    var subject: String
    var revision: Int
    var title: String
    var messageID: String
    var date: Date?
    /// `0/N`: the cover letter, whose title names the series.
    var isCover: Bool

    static func all(in mbox: Data, name: String) -> [Posting] {
        Mailbox.messages(in: [UInt8](mbox), name: name).compactMap { result in
            guard case .success(let mail) = result, let subject = mail.subject else { return nil }
            let parsed = PatchSubject.parse(subject)
            guard !parsed.isReply, parsed.hasPatchTag, !parsed.title.isEmpty else { return nil }
            return Posting(subject: subject, revision: parsed.revision, title: parsed.title,
                           messageID: mail.messageID ?? "", date: mail.date, isCover: parsed.index == 0)
        }
    }
}
