import Foundation
import MboxParser

/// Which series a maintainer wants reviewed. Every configured test must pass; an empty
/// test passes everything. A series that fails one is recorded as skipped with the reason.
public struct WatchFilter: @unchecked Sendable {
    // NSRegularExpression is immutable once made and documented thread-safe.
    public var listIDs: [String]
    public var me: [String]
    public var files: FilePatterns.Matcher?
    public var subject: NSRegularExpression?
    public var skipAuthors: [String]

    public init(listIDs: [String] = [], me: [String] = [], files: FilePatterns.Matcher? = nil,
                subject: NSRegularExpression? = nil, skipAuthors: [String] = []) {
        self.listIDs = listIDs.map { $0.lowercased() }
        self.me = me.map { (MailAddress.parseList($0).first?.email ?? $0).lowercased() }
        self.files = files
        self.subject = subject
        self.skipAuthors = skipAuthors.map { (MailAddress.parseList($0).first?.email ?? $0).lowercased() }
    }

    /// What the filter reads of one posting.
    public struct Candidate: Sendable {
        public var subject: String
        public var authorEmail: String?
        /// The List-Id values of its messages (the part between `<>`).
        public var listIDs: [String]
        /// Every To and Cc address of its messages.
        public var recipients: [String]
        /// Every file its patches touch.
        public var paths: [String]

        public init(subject: String, authorEmail: String?, listIDs: [String], recipients: [String], paths: [String]) {
            self.subject = subject
            self.authorEmail = authorEmail
            self.listIDs = listIDs
            self.recipients = recipients
            self.paths = paths
        }
    }

    /// nil when the series is wanted; otherwise why not.
    public func rejection(_ candidate: Candidate) -> String? {
        if let author = candidate.authorEmail?.lowercased(), skipAuthors.contains(author) {
            return "author \(author) is skipped"
        }
        if !listIDs.isEmpty {
            let ids = Set(candidate.listIDs.map { $0.lowercased() })
            guard listIDs.contains(where: ids.contains) else { return "not on list " + listIDs.joined(separator: ", ") }
        }
        if !me.isEmpty {
            let recipients = Set(candidate.recipients.map { $0.lowercased() })
            guard me.contains(where: recipients.contains) else { return "not sent to " + me.joined(separator: ", ") }
        }
        if let subject {
            let text = candidate.subject
            guard subject.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else {
                return "subject does not match \(subject.pattern)"
            }
        }
        if let files, !files.matchesAny(candidate.paths) { return "touches none of the watched files" }
        return nil
    }

    /// `List-Id: Netdev List <netdev.vger.kernel.org>` -> `netdev.vger.kernel.org`.
    public static func listID(_ header: String) -> String {
        if let open = header.lastIndex(of: "<"), let close = header.lastIndex(of: ">"), open < close {
            return String(header[header.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        return header.trimmingCharacters(in: .whitespaces)
    }
}
