import Foundation

/// What a patch mail's subject says about it: `Re: [PATCH net-next v3 02/11] subsys: title`.
///
/// Parsing follows b4's `LoreSubject` where b4 gets it right and goes further where b4 gives
/// up: b4 splits prefix groups on spaces only, so `[PATCH V9,RESEND,0/2]`, `[net,v2,1/2]`
/// and Mercurial's `[PATCH 0 of 2]` come out unnumbered there; here they are parsed.
public struct PatchSubject: Sendable, Hashable {
    /// The subject with runs of whitespace collapsed.
    public var full: String
    /// The subject without reply markers and leading `[...]` groups.
    public var title: String
    /// `Re:`, `RE:`, `Aw:`, `Fwd:` (possibly repeated) or another short `Xx: [` marker.
    public var isReply: Bool
    /// The revision as an integer; 1 when the subject names none. A fractional version
    /// (`v3.1`) does not set it, as in b4, which then treats the mail as unversioned.
    public var revision: Int
    /// Whether the subject named an integral revision (`v2`, `V9`, `PATCHv3`).
    public var hasExplicitRevision: Bool
    /// The version as written when it is not an integer (`3.1`).
    public var fractionalRevision: String?
    /// Position in the series (`3` in `3/7` or `3 of 7`); nil when there is no counter.
    public var index: Int?
    /// Series length (`7` in `3/7`); nil when there is no counter.
    public var total: Int?
    public var isRFC: Bool
    public var isResend: Bool
    /// A `PATCH` tag was present (any case, also `PATCHv3`).
    public var hasPatchTag: Bool
    /// `[GIT PULL]`, `[GIT PULL REQUEST]`, `[GIT]`, or `[PULL]` without a counter. patchew's
    /// `[PULL 03/15]` mails are patches of a pull series, so a counter keeps them patches.
    public var isPullRequest: Bool
    /// Tags that are neither PATCH, RFC, RESEND, a version nor a counter, in order: tree and
    /// project names such as `net-next`, `nft`, `iptables`, `-next`.
    public var prefixes: [String]
    /// Bracket groups before the one naming the patch, kept whole: mailing-list tags such
    /// as `Qemu-devel`, `Buildroot`, `dpdk-dev`.
    public var listTags: [String]

    /// The counter the way b4 counts: `index`, or 1 when the subject has none.
    public var counter: Int { index ?? 1 }
    /// The series length the way b4 counts: `total`, at least `counter`.
    public var expected: Int { max(total ?? 1, counter) }

    public init(full: String, title: String, isReply: Bool = false, revision: Int = 1,
                hasExplicitRevision: Bool = false, fractionalRevision: String? = nil,
                index: Int? = nil, total: Int? = nil, isRFC: Bool = false, isResend: Bool = false,
                hasPatchTag: Bool = false, isPullRequest: Bool = false, prefixes: [String] = [],
                listTags: [String] = []) {
        self.full = full
        self.title = title
        self.isReply = isReply
        self.revision = revision
        self.hasExplicitRevision = hasExplicitRevision
        self.fractionalRevision = fractionalRevision
        self.index = index
        self.total = total
        self.isRFC = isRFC
        self.isResend = isResend
        self.hasPatchTag = hasPatchTag
        self.isPullRequest = isPullRequest
        self.prefixes = prefixes
        self.listTags = listTags
    }

    /// Parses a decoded, unfolded subject. Never fails: an unusual subject is a title.
    public static func parse(_ subject: String) -> PatchSubject {
        let full = collapsingWhitespace(subject)
        var result = PatchSubject(full: full, title: full)
        var rest = Substring(full)
        result.isReply = stripReplyMarkers(&rest)

        var groups: [String] = []
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            groups.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
        }
        // git mailinfo also drops a colon left after the prefix (`[Patch 2/2]: title`).
        // `full` has single spaces and no space at either end, so only the front needs it.
        result.title = String(rest.drop(while: { $0 == ":" || $0 == " " }))

        let patchGroup = groups.firstIndex(where: { group in
            tokens(of: group).contains(where: { isPatchKeyword($0) })
        })
        var gitMarker = false, pullMarker = false
        for (at, group) in groups.enumerated() {
            if let patchGroup, at < patchGroup {
                // Foundation's trimming bridges through NSString on Linux; this runs per mail.
                result.listTags.append(String(group.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()))
                continue
            }
            var words = tokens(of: group)[...]
            while let word = words.popFirst() {
                let lower = word.lowercased()
                if let (first, second) = counter(word) {
                    (result.index, result.total) = (first, second)
                } else if let number = Int(word), words.first?.lowercased() == "of",
                          words.count >= 2, let of = Int(words[words.index(after: words.startIndex)]) {
                    // Mercurial patchbomb: `[PATCH 1 of 2]`.
                    (result.index, result.total) = (number, of)
                    words = words.dropFirst(2)
                } else if let version = versionToken(word) {
                    if let integral = Int(version) {
                        result.revision = integral
                        result.hasExplicitRevision = true
                    } else {
                        result.fractionalRevision = version
                    }
                } else if lower.hasPrefix("rfc") {
                    result.isRFC = true
                } else if lower.hasPrefix("resend") {
                    result.isResend = true
                } else if lower.hasPrefix("patch") {
                    result.hasPatchTag = true
                } else if lower == "git" {
                    gitMarker = true
                } else if lower == "pull" {
                    pullMarker = true
                } else if !(pullMarker && lower == "request") {
                    result.prefixes.append(word)
                }
            }
        }
        result.isPullRequest = gitMarker || (pullMarker && result.index == nil)
        return result
    }

    /// Runs of white space as one space, none at either end. Subjects are nearly always
    /// ASCII: that case works on bytes, as Unicode property lookups per Character cost more
    /// than the rest of the parse.
    static func collapsingWhitespace(_ subject: String) -> String {
        guard subject.utf8.allSatisfy({ $0 < 0x80 }) else {
            return subject.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
        var out: [UInt8] = []
        out.reserveCapacity(subject.utf8.count)
        var pendingSpace = false
        for byte in subject.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether the subject starts with a reply marker (`Re:`, `RE:`, `Aw:`, `Fwd:`), read
    /// from its first bytes: a cheap test before a full parse.
    static func startsWithReplyMarker(_ subject: String) -> Bool {
        var bytes = subject.utf8.drop(while: { $0 == 0x20 || $0 == 0x09 }).prefix(4).map { $0 | 0x20 }
        if bytes.count == 4, bytes[3] == UInt8(ascii: ":") | 0x20, bytes[0...2] == Array("fwd".utf8)[...] { return true }
        bytes = Array(bytes.prefix(3))
        return bytes.count == 3 && bytes[2] == UInt8(ascii: ":") | 0x20
            && [Array("re".utf8), Array("aw".utf8), Array("fw".utf8)].contains(Array(bytes[0...1]))
    }

    /// Strips `Re:`-style markers; b4 also treats any 2-3 letter word and a colon before a
    /// `[` as one (`SV: [PATCH`, `Odp: [PATCH`).
    private static func stripReplyMarkers(_ rest: inout Substring) -> Bool {
        var isReply = false
        while let colon = rest.firstIndex(of: ":") {
            let word = rest[..<colon]
            let lower = word.lowercased()
            let after = rest[rest.index(after: colon)...].drop(while: { $0 == " " })
            let known = ["re", "aw", "fwd", "fw"].contains(lower)
            let shortBeforeBracket = (2...3).contains(word.count)
                && word.allSatisfy({ $0.isLetter || $0.isNumber }) && after.first == "["
            guard known || shortBeforeBracket else { break }
            isReply = true
            rest = after
        }
        return isReply
    }

    /// Words of a bracket group; commas and semicolons separate too (`V9,RESEND,0/2`), and
    /// `PATCHv3` is `PATCH v3`.
    private static func tokens(of group: String) -> [String] {
        var words: [String] = []
        for word in group.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" || $0 == "\t" }) {
            let lower = word.lowercased()
            if let keyword = ["patch", "rfc", "resend"].first(where: { lower.hasPrefix($0) }),
               versionToken(String(word.dropFirst(keyword.count))) != nil {
                words.append(String(word.prefix(keyword.count)))
                words.append(String(word.dropFirst(keyword.count)))
            } else {
                words.append(String(word))
            }
        }
        return words
    }

    private static func isPatchKeyword(_ word: String) -> Bool {
        let lower = word.lowercased()
        return lower.hasPrefix("patch") || lower.hasPrefix("rfc") || lower == "pull" || lower == "git"
    }

    /// `3/7` (b4 allows up to four digits on each side).
    private static func counter(_ word: String) -> (Int, Int)? {
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...4).contains(parts[0].count), (1...4).contains(parts[1].count),
              let index = Int(parts[0]), let total = Int(parts[1]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) })
        else { return nil }
        return (index, total)
    }

    /// `v3`, `V9`, `v3.1` -> the digits after the `v`.
    private static func versionToken(_ word: String) -> String? {
        guard word.count >= 2, word.first == "v" || word.first == "V" else { return nil }
        let digits = word.dropFirst()
        let pieces = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count),
              pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigitCharacter) })
        else { return nil }
        return String(digits)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
