import Foundation
import MboxParser

/// An earlier posting of a series found on lore: the message to fetch its thread by.
public struct EarlierRevision: Sendable, Hashable {
    public var revision: Int
    public var subject: String
    public var messageID: String
}

extension LoreClient {
    /// Earlier revisions of a series, newest first, one posting per revision (its cover
    /// letter when it had one, else its first patch), at most `limit`. Searched by b4's
    /// `change-id:` line when the series carries one (titles change between revisions, the
    /// change-id does not), then by the title the way `newerRevisions` searches (`s:"..."`).
    public func earlierRevisions(title: String, changeID: String?, before revision: Int, list: String? = nil,
                                 limit: Int, baseURL: String? = nil) async throws -> [EarlierRevision] {
        guard revision > 1, limit > 0 else { return [] }
        var postings: [Posting] = []
        if let changeID, !changeID.isEmpty, Self.isPlainToken(changeID) {
            if let found = try await search("nq:\"change-id: \(changeID)\"", list: list, baseURL: baseURL) {
                postings = Posting.all(in: found, name: "lore search results")
            }
        }
        let wanted = title.lowercased()
        if !postings.contains(where: { $0.revision < revision }), !title.isEmpty {
            let query = "s:\"\(title.replacingOccurrences(of: "\"", with: ""))\""
            if let found = try await search(query, list: list, baseURL: baseURL) {
                postings = Posting.all(in: found, name: "lore search results").filter { $0.title.lowercased() == wanted }
            }
        }
        var byRevision: [Int: Posting] = [:]
        for posting in postings where posting.revision < revision && !posting.messageID.isEmpty {
            if let kept = byRevision[posting.revision], kept.isCover || !posting.isCover { continue }
            byRevision[posting.revision] = posting
        }
        return byRevision.keys.sorted(by: >).prefix(limit).map {
            let posting = byRevision[$0]!
            return EarlierRevision(revision: posting.revision, subject: posting.subject, messageID: posting.messageID)
        }
    }

    /// A change-id is a date, a slug and a hash (`20240101-foo-bar-v1-abc123`): anything
    /// else is not put into a query.
    static func isPlainToken(_ text: String) -> Bool {
        text.count <= 120 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
