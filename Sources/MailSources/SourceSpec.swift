import Foundation

/// Where the mail comes from, as the maintainer wrote it on the command line.
public enum SourceSpec: Sendable, Hashable {
    /// An mbox, a single message (.eml) or a directory (maildir or a folder of such files).
    case path(String)
    /// `-`: read an mbox or a message from standard input.
    case standardInput
    /// A thread on a public-inbox server.
    case lore(LoreThreadReference)
    /// A folder on an IMAP server.
    case imap(IMAPMailboxURL)
}

/// A thread on lore (or another public-inbox): which message, which list, which server.
public struct LoreThreadReference: Sendable, Hashable {
    /// The message-id without angle brackets.
    public var messageID: String
    /// The list named in the URL; nil searches `all`.
    public var list: String?
    /// The server named in a pasted lore URL (`https://lore.kernel.org`); nil means the
    /// configured base (a bare message-id, a patch.msgid.link URL).
    public var baseURL: String?

    public init(messageID: String, list: String? = nil, baseURL: String? = nil) {
        self.messageID = messageID
        self.list = list
        self.baseURL = baseURL
    }
}

extension SourceSpec {
    /// Hosts whose `/{msgid}` path is a redirect to lore rather than an archive of its own.
    public static let messageIDRedirectHosts: Set<String> = ["patch.msgid.link", "msgid.link"]
    /// The public lore: a URL naming it is fetched from the configured mirror (`[lore] url`).
    public static let publicLoreHosts: Set<String> = ["lore.kernel.org"]

    /// Reads a SOURCE argument. `fileExists` decides between a path and a message-id (both
    /// may contain `@` and `/`); an existing file wins.
    public static func parse(_ text: String,
                             fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        throws -> SourceSpec {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw MailSourceError.usage("empty source: give a file, -, a message-id or a URL") }
        if trimmed == "-" { return .standardInput }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("imap://") || lower.hasPrefix("imaps://") {
            return .imap(try IMAPMailboxURL(parsing: trimmed))
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return .lore(try parseLoreURL(trimmed))
        }
        if fileExists(trimmed) { return .path(trimmed) }
        // `lore.kernel.org/r/<id>` as pasted from a mail: a URL without its scheme, not a
        // message-id (which it would pass for, holding an `@`).
        let host = lower.prefix { $0 != "/" }
        if host.count < lower.count, publicLoreHosts.union(messageIDRedirectHosts).contains(String(host)) {
            return .lore(try parseLoreURL("https://" + trimmed))
        }
        let id = MessageID.bare(trimmed)
        if id.contains("@"), !id.contains(where: \.isWhitespace) {
            return .lore(LoreThreadReference(messageID: id))
        }
        throw MailSourceError.usage("no such file, and not a message-id or URL: \(trimmed)")
    }

    /// Every lore URL form: `/{list}/{mid}/` (with `T/`, `t/`, `raw`, `t.mbox.gz`,
    /// `#anchor`), `/all/{mid}/...`, `/r/{mid}`, and `https://patch.msgid.link/{mid}`.
    static func parseLoreURL(_ url: String) throws -> LoreThreadReference {
        let schemeEnd = url.range(of: "://")!
        let afterScheme = url[schemeEnd.upperBound...]
        let withoutFragment = afterScheme.prefix { $0 != "#" }
        let withoutQuery = withoutFragment.prefix { $0 != "?" }
        let authority = withoutQuery.prefix { $0 != "/" }
        let segments = withoutQuery.dropFirst(authority.count).split(separator: "/")
        let origin = url[..<schemeEnd.upperBound] + authority
        let host = authority.split(separator: "@").last.map { $0.split(separator: ":")[0].lowercased() } ?? ""

        func bad(_ why: String) -> MailSourceError {
            MailSourceError.usage("not a lore thread URL (\(why)): \(url)")
        }
        if messageIDRedirectHosts.contains(host) {
            guard let first = segments.first else { throw bad("no message-id") }
            return LoreThreadReference(messageID: MessageID.bare(MessageID.pathUnescaped(first)))
        }
        guard segments.count >= 2 else { throw bad("expected /LIST/MESSAGE-ID/") }
        let knownTails: Set<Substring> = ["T", "t", "raw", "t.mbox.gz", "t.atom", "T.atom"]
        guard segments.count == 2 || (segments.count == 3 && knownTails.contains(segments[2])) else {
            throw bad("unknown path after the message-id")
        }
        let id = MessageID.bare(MessageID.pathUnescaped(segments[1]))
        guard !id.isEmpty else { throw bad("empty message-id") }
        let list: String? = (segments[0] == "r" || segments[0] == "all") ? nil : String(segments[0])
        return LoreThreadReference(messageID: id, list: list, baseURL: String(origin))
    }
}

/// `imaps://user@host[:port]/Mailbox`.
public struct IMAPMailboxURL: Sendable, Hashable, CustomStringConvertible {
    public enum Security: Sendable, Hashable {
        /// imaps://: TLS from the first byte.
        case implicitTLS
        /// imap://: STARTTLS before login (or plaintext, when explicitly allowed).
        case startTLS
    }

    public var security: Security
    public var user: String?
    public var host: String
    public var port: UInt16
    public var mailbox: String

    public init(security: Security, user: String?, host: String, port: UInt16? = nil, mailbox: String = "INBOX") {
        self.security = security
        self.user = user
        self.host = host
        self.port = port ?? (security == .implicitTLS ? 993 : 143)
        self.mailbox = mailbox
    }

    public init(parsing text: String) throws {
        let lower = text.lowercased()
        let security: Security = lower.hasPrefix("imaps://") ? .implicitTLS : .startTLS
        guard let schemeEnd = text.range(of: "://") else { throw MailSourceError.usage("not an imap URL: \(text)") }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        var path = rest.dropFirst(authority.count).drop { $0 == "/" }
        if let semicolon = path.firstIndex(of: ";") { path = path[..<semicolon] }  // RFC 5092 ;UIDVALIDITY=...
        var user: String?
        var hostPort = Substring(authority)
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            guard !userInfo.contains(":") else {
                throw MailSourceError.usage("a password in an imap URL is not accepted: use REVIEWBOT_IMAP_PASSWORD or password_command")
            }
            user = MessageID.pathUnescaped(userInfo.split(separator: ";")[0])
            hostPort = authority[authority.index(after: at)...]
        }
        var host = String(hostPort)
        var port: UInt16?
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            host = String(hostPort[..<colon])
            guard let number = UInt16(hostPort[hostPort.index(after: colon)...]) else {
                throw MailSourceError.usage("bad port in imap URL: \(text)")
            }
            port = number
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw MailSourceError.usage("no host in imap URL: \(text)") }
        let mailbox = MessageID.pathUnescaped(path)
        self.init(security: security, user: user, host: host, port: port, mailbox: mailbox.isEmpty ? "INBOX" : mailbox)
    }

    public var description: String {
        "\(security == .implicitTLS ? "imaps" : "imap")://\(user.map { "\($0)@" } ?? "")\(host):\(port)/\(mailbox)"
    }
}
