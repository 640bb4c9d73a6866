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
    /// reads a mail (a later part holding a diff wins).
    public var bodyText: String
    /// The parsed patch when the body holds a diff; nil otherwise.
    public var patch: Patch?
    public var location: MessageLocation

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
    /// b4's test for "this text holds a diff": `---`+`+++` lines, `GIT binary patch`, or a
    /// `diff --git a/x b/y` line, each at the start of a line. Lines indented by a range-diff
    /// or interdiff do not count.
    public static func textHasDiff(_ text: String) -> Bool {
        var previousWasMinus = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if previousWasMinus, line.hasPrefix("+++") { return true }
            previousWasMinus = line.hasPrefix("---")
            if line.lowercased().hasPrefix("git binary patch") { return true }
            if line.hasPrefix("diff --git "), isGitDiffHeader(line) { return true }
        }
        return false
    }

    /// b4's diffstat test: a `N file(s) changed, N insertion(s)/deletion(s)` summary line.
    public static func textHasDiffstat(_ text: String) -> Bool {
        for line in text.split(separator: "\n") where line.contains(" file") {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            guard let first = trimmed.first, first.isASCIIDigitCharacter else { continue }
            let digits = trimmed.prefix(while: \.isASCIIDigitCharacter)
            let after = trimmed.dropFirst(digits.count)
            guard after.hasPrefix(" file") else { continue }
            let lower = after.lowercased()
            for word in ["insertion", "deletion"] {
                guard let range = lower.range(of: " " + word) else { continue }
                if lower[..<range.lowerBound].last?.isASCIIDigitCharacter == true { return true }
            }
        }
        return false
    }

    private static func isGitDiffHeader(_ line: Substring) -> Bool {
        let words = line.split(separator: " ")
        guard words.count >= 4 else { return false }
        return words[2].count > 2 && words[2].dropFirst().first == "/"
            && words[3].count > 2 && words[3].dropFirst().first == "/"
    }
}
