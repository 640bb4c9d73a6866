import Foundation

/// One mail as series assembly needs it. The mail reader builds it from a `MailMessage`
/// (headers decoded, body MIME-decoded) and `PatchParser` fills `patch`.
public struct SeriesMessage: Sendable, Hashable {
    /// `Message-ID` without angle brackets; nil when missing or empty.
    public var messageID: String?
    /// `In-Reply-To` without angle brackets.
    public var inReplyTo: String?
    /// `References` ids in order, without angle brackets (all such headers, concatenated).
    public var references: [String]
    /// The decoded, unfolded `Subject`.
    public var subject: String
    public var from: MailAddress?
    /// `X-Original-From` (B4 Relay and some lists rewrite `From`).
    public var originalFrom: MailAddress?
    public var date: Date?
    /// The `Date` header as written, for the exported mbox.
    public var dateHeader: String?
    /// The text body: the first text/plain (or text/x-patch) part, decoded, the way b4
    /// reads a mail (a later part holding a diff wins); LF line ends (CRLF read as LF).
    public var bodyText: String
    /// The parsed patch when the body holds a diff; nil otherwise.
    public var patch: Patch?
    public var location: MessageLocation
    /// The original recipients, whom a reply copies.
    public var to: [MailAddress] = []
    public var cc: [MailAddress] = []
    /// What reading the mail tolerated (an unknown charset, invalid bytes), for the
    /// review's report; the patch parser's own warnings are in `patch`.
    public var warnings: [String] = []

    public init(messageID: String?, inReplyTo: String? = nil, references: [String] = [],
                subject: String, from: MailAddress? = nil, originalFrom: MailAddress? = nil,
                date: Date? = nil, dateHeader: String? = nil, bodyText: String,
                patch: Patch? = nil, location: MessageLocation) {
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.subject = subject
        self.from = from
        self.originalFrom = originalFrom
        self.date = date
        self.dateHeader = dateHeader
        self.bodyText = bodyText
        self.patch = patch
        self.location = location
    }

    /// Whether the body carries a diff that git am would apply.
    public var hasDiff: Bool { patch?.hasDiff ?? false }

    /// The person a reviewer credits: the in-body `From:`, else `X-Original-From`, else `From`.
    public var author: MailAddress? { patch?.inBodyFrom ?? originalFrom ?? from }
}

extension SeriesMessage {
    /// b4's diffstat test: a `N file(s) changed, N insertion(s)/deletion(s)` summary line
    /// (`^\s*\d+ file.*\d+ (insertion|deletion)`), scanned as bytes: bodies are large.
    public static func textHasDiffstat(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable(lineHasDiffstatSummary) { return found }
        return Array(text.utf8).withUnsafeBufferPointer(lineHasDiffstatSummary)
    }

    private static func lineHasDiffstatSummary(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
        func matches(_ word: String, at start: Int, end: Int) -> Bool {
            var at = start
            for expected in word.utf8 {
                guard at < end, lower(bytes[at]) == expected else { return false }
                at += 1
            }
            return true
        }
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            var at = lineStart
            while at < lineEnd && (bytes[at] == 32 || bytes[at] == 9) { at += 1 }
            let digitsStart = at
            while at < lineEnd && isDigit(bytes[at]) { at += 1 }
            if at > digitsStart, matches(" file", at: at, end: lineEnd) {
                // Then, anywhere later, a digit, a space and insertion/deletion.
                var scan = at + 5
                while scan + 1 < lineEnd {
                    if isDigit(bytes[scan]), bytes[scan + 1] == 32,
                       matches("insertion", at: scan + 2, end: lineEnd) || matches("deletion", at: scan + 2, end: lineEnd) {
                        return true
                    }
                    scan += 1
                }
            }
            lineStart = lineEnd + 1
        }
        return false
    }
}
