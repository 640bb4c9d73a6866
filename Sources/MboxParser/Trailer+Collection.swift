import Foundation

/// Finding trailers in commit messages and in review replies, with b4's rules
/// (`LoreMessage.find_trailers`, `LoreTrailer`, `get_trailers`).
extension Trailer {
    /// Person trailers b4 and git interpret (the list `b4 am` and checkpatch know). Any
    /// other `Name: Person <mail>` line in a reply is still taken, as b4 does; this list is
    /// for callers that want the well-known ones.
    public static let personTrailerNames: Set<String> = [
        "reviewed-by", "acked-by", "tested-by", "reported-by", "suggested-by",
        "co-developed-by", "signed-off-by", "reported-and-tested-by", "nacked-by",
    ]

    /// Trailers that never name a person.
    static let utilityNames: Set<String> = [
        "fixes", "link", "buglink", "closes", "obsoleted-by", "message-id", "change-id",
        "base-commit", "based-on",
    ]

    /// Whether the value names someone (`Name <mail>`), as b4 decides it.
    public var isPerson: Bool {
        !Self.utilityNames.contains(name.lowercased()) && !value.contains("://")
            && Self.looksLikeEmail(value)
    }

    /// b4's duplicate test: same name and value, ignoring case and a `# comment`.
    public func isSame(as other: Trailer) -> Bool {
        name.lowercased() == other.name.lowercased()
            && Self.stripHashComment(value).lowercased() == Self.stripHashComment(other.value).lowercased()
    }

    /// The trailers a review reply gives: unquoted `Name: value` lines above the signature
    /// that name a person by email (or are a Fixes/Link/Closes trailer), minus mail headers
    /// people paste. Values are normalised to `Name <email>` as `b4 am` writes them.
    public static func fromReply(body: String) -> [Trailer] {
        withoutHeaderLike(replyCandidates(in: body))
    }

    /// Every trailer-shaped line b4 looks at in a reply, header-like ones included (b4 uses
    /// these to tell a reply without `Re:` from a new mail).
    static func replyCandidates(in body: String) -> [Trailer] {
        find(in: body, followup: true)
    }

    static func withoutHeaderLike(_ trailers: [Trailer]) -> [Trailer] {
        let headerLike: Set<String> = [
            "from", "author", "cc", "to", "date", "subject", "subscribe", "unsubscribe",
            "base-commit", "change-id", "message-id",
        ]
        return trailers.filter { !headerLike.contains($0.name.lowercased()) }
    }

    /// The trailer block of a commit message: the `Name: value` lines of its last paragraph,
    /// values as written (a `# comment` stays; git keeps it).
    public static func fromCommitMessage(_ message: String) -> [Trailer] {
        let paragraphs = message.trimmedNewlines().components(separatedBy: "\n\n")
        guard let last = paragraphs.last else { return [] }
        return find(in: last, followup: false, keepComments: true)
    }

    /// Whether `sender` may give this trailer: b4 takes a person trailer from a reply only when
    /// its email matches the sender's (ignoring `+tag` and one sub-domain level) or its name
    /// is the sender's name. Other trailers pass.
    public func isGiven(by sender: MailAddress?) -> Bool {
        guard isPerson, let person = MailAddress.parseTrailerPerson(value) ?? bareEmail else { return true }
        guard let sender else { return false }
        if Self.emailsMatch(person.email, sender.email) { return true }
        let senderName = (sender.name.isEmpty ? sender.email : sender.name).lowercased()
        if person.name.lowercased() == senderName { return true }
        // b4 accepts "Last, First" senders when every comma part occurs in the name; its test
        // compares the header name with itself, so any such sender matches. Kept for parity.
        return senderName.firstIndex(of: ",").map { $0 > senderName.startIndex } ?? false
    }

    private var bareEmail: MailAddress? {
        let trimmed = value.trimmedWhitespace()
        return trimmed.contains("@") && !trimmed.contains(" ") ? MailAddress(name: "", email: trimmed) : nil
    }

    static func emailsMatch(_ left: String, _ right: String) -> Bool {
        let ours = left.lowercased(), theirs = right.lowercased()
        if ours == theirs { return true }
        guard let ourAt = ours.lastIndex(of: "@"), let theirAt = theirs.lastIndex(of: "@") else { return false }
        func local(_ address: String, _ at: String.Index) -> Substring {
            address[..<at].split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)[0]
        }
        guard local(ours, ourAt) == local(theirs, theirAt) else { return false }
        let ourDomain = ours[ours.index(after: ourAt)...], theirDomain = theirs[theirs.index(after: theirAt)...]
        if ourDomain == theirDomain { return true }
        let dots = { (domain: Substring) in domain.filter { $0 == "." }.count }
        guard abs(dots(ourDomain) - dots(theirDomain)) == 1 else { return false }
        return ourDomain.hasSuffix("." + theirDomain) || theirDomain.hasSuffix("." + ourDomain)
    }

    /// b4's `\S+@\S+\.\S+`.
    static func looksLikeEmail(_ text: String) -> Bool {
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            guard let at = word.firstIndex(of: "@"), at > word.startIndex else { continue }
            let domain = word[word.index(after: at)...]
            if let dot = domain.dropFirst().firstIndex(of: "."), domain.index(after: dot) < domain.endIndex {
                return true
            }
        }
        return false
    }

    private static func find(in body: String, followup: Bool, keepComments: Bool = false) -> [Trailer] {
        let ignored: Set<String> = ["phone", "mail", "email", "e-mail", "prerequisite-message-id"]
        let headers: Set<String> = ["subject", "date", "from"]
        let links: Set<String> = ["link", "buglink", "closes"]
        let nonPerson = links.union(["fixes", "subject", "date", "obsoleted-by", "change-id", "base-commit"])

        // "\r\n" is one Character in Swift, so split on both.
        var lines = aboveSignature(body).split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
        joinWrappedTrailerLines(&lines)

        var trailers: [Trailer] = []
        var sawOther = false
        var lastWasTrailer = false
        for line in lines {
            if let (name, rawValue) = splitTrailerLine(line) {
                let lower = name.lowercased()
                if ignored.contains(lower) { continue }
                if sawOther, headers.contains(lower) { continue }
                if followup {
                    if !lower.allSatisfy(\.isASCII) { continue }
                    if !looksLikeEmail(rawValue), !nonPerson.contains(lower) { continue }
                    if rawValue.contains("http://") || rawValue.contains("https://"), !links.contains(lower) { continue }
                }
                if lower == "fixes", !startsWithHash(rawValue) { continue }
                lastWasTrailer = true
                let value = keepComments ? rawValue.trimmedWhitespace() : stripHashComment(rawValue)
                trailers.append(Trailer(name: name, value: normalise(name: lower, value: value)))
                continue
            }
            // `[for the foo bits]` under a trailer belongs to it (b4 "extinfo").
            if lastWasTrailer, line.count > 2 {
                let trimmed = line.trimmedWhitespace()
                if trimmed.hasPrefix("["), trimmed.hasSuffix("]"), !trimmed.dropFirst().dropLast().contains("]") {
                    lastWasTrailer = false
                    continue
                }
            }
            lastWasTrailer = false
            sawOther = true
        }
        return trailers
    }

    /// Everything above the first `-- ` signature line, trimmed.
    private static func aboveSignature(_ body: String) -> String {
        let cut = body.range(of: "\n-- \n").map { String(body[..<$0.lowerBound]) } ?? body
        return cut.trimmedWhitespaceAndNewlines()
    }

    /// b4 repairs two common wraps: `Fixes: abc (subject` + `continued)` and
    /// `Signed-off-by: Long Name` + `<mail>`.
    private static func joinWrappedTrailerLines(_ lines: inout [String]) {
        var at = 0
        while at + 1 < lines.count {
            let line = lines[at], next = lines[at + 1]
            if let (_, value) = splitTrailerLine(line) {
                let fixesWrap = startsWithHash(value) && value.contains("(") && !value.contains(")")
                    && !next.isEmpty && next.hasSuffix(")")
                let mailWrap = !value.contains("<") && next.hasPrefix("<") && next.hasSuffix(">")
                    && next.dropFirst().dropLast().allSatisfy({ $0 != ">" && $0 != "<" })
                if fixesWrap || mailWrap {
                    lines[at] = line + " " + next
                    lines.remove(at: at + 1)
                    continue
                }
            }
            at += 1
        }
    }

    /// `Name: value` as b4's `^\s*(\w\S+):\s+(\S.*)`: the first word ends in a colon.
    static func splitTrailerLine(_ line: String) -> (String, String)? {
        let content = line.drop(while: { $0 == " " || $0 == "\t" })
        guard let first = content.first, first.isLetter || first.isNumber || first == "_" else { return nil }
        guard let space = content.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        let word = content[..<space]
        guard word.count >= 3, word.last == ":" else { return nil }
        let value = content[space...].drop(while: { $0 == " " || $0 == "\t" })
        guard !value.isEmpty else { return nil }
        return (String(word.dropLast()), String(value))
    }

    private static func startsWithHash(_ value: String) -> Bool {
        value.prefix(while: { $0.isHexDigit && ($0.isNumber || $0.isLowercase) }).count >= 6
    }

    /// Drops a trailing `# comment` (b4 keeps it aside as extra info).
    private static func stripHashComment(_ value: String) -> String {
        guard let hash = value.lastIndex(of: "#"), hash > value.startIndex,
              value[value.index(before: hash)].isWhitespace,
              !value[value.index(after: hash)...].isEmpty,
              !value[..<hash].trimmedWhitespace().isEmpty
        else { return value }
        return value[..<hash].trimmedWhitespace()
    }

    /// b4 rewrites person values as `Name <email>` (dropping `<mailto:...>` junk that
    /// HTML mailers add).
    private static func normalise(name lower: String, value: String) -> String {
        guard !utilityNames.contains(lower), !value.contains("://"), looksLikeEmail(value) else { return value }
        var cleaned = value
        while let open = cleaned.range(of: "<mailto:"), let close = cleaned[open.upperBound...].firstIndex(of: ">") {
            cleaned.removeSubrange(open.lowerBound...close)
        }
        cleaned = cleaned.trimmedWhitespace()
        guard cleaned.hasSuffix(">"), let open = cleaned.firstIndex(of: "<") else { return cleaned }
        let email = cleaned[cleaned.index(after: open)..<cleaned.index(before: cleaned.endIndex)]
        guard !email.contains(">") else { return cleaned }
        let person = cleaned[..<open].trimmedWhitespace()
        let address = email.trimmedWhitespace()
        return person.isEmpty || person == address ? address : "\(person) <\(address)>"
    }
}
