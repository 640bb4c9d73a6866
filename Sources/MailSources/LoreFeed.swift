import Foundation

/// A list's Atom feed as public-inbox serves it (`/<list>/new.atom`): the newest messages,
/// newest first, each with its subject, author, date and the link whose last path segment
/// is the message-id. A reply carries `<thr:in-reply-to href=".../<parent-id>/"/>` (RFC 4685).
public struct LoreFeed: Sendable, Equatable {
    public struct Entry: Sendable, Hashable {
        /// From the entry's link, without angle brackets.
        public var messageID: String
        /// The subject.
        public var title: String
        public var authorEmail: String?
        /// `<updated>`: the message's date.
        public var updated: Date?
        /// The message it answers, from `thr:in-reply-to`.
        public var inReplyTo: String?

        public init(messageID: String, title: String, authorEmail: String? = nil, updated: Date? = nil,
                    inReplyTo: String? = nil) {
            self.messageID = messageID
            self.title = title
            self.authorEmail = authorEmail
            self.updated = updated
            self.inReplyTo = inReplyTo
        }
    }

    public var entries: [Entry]
    /// Entries left out because their link named no usable message-id.
    public var unreadableEntries: Int

    // Limits on what a feed may hold; public-inbox sends 25 entries, each with the whole
    // message body as XHTML.

    /// The largest feed accepted: 25 entries of big patches stay well below it.
    public static let maxBytes = 32 << 20
    /// Entries read from one feed: forty times what public-inbox sends.
    public static let maxEntries = 1_000
    /// Element nesting: the feed needs 5 levels, a message body rendered as XHTML a few
    /// more; 64 refuses a document built to exhaust a parser.
    public static let maxDepth = 64
    /// Characters of one title, address or date kept: a subject line is at most 998
    /// bytes (RFC 5322), folded subjects a few times that.
    public static let maxFieldCharacters = 4_096
    /// Attributes on one element: the feed uses at most three.
    public static let maxAttributes = 32
    /// A message-id longer than this is not one (RFC 5322's line limit).
    public static let maxMessageIDLength = 998

    public init(entries: [Entry], unreadableEntries: Int = 0) {
        self.entries = entries
        self.unreadableEntries = unreadableEntries
    }

    /// Why a feed could not be read.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { "not a usable Atom feed: \(reason)" }
    }

    /// Parses a feed strictly: well-formed XML without a DTD, within the limits above.
    public static func parse(_ data: Data) throws(Problem) -> LoreFeed {
        guard data.count <= maxBytes else { throw Problem(reason: "\(data.count) bytes, more than \(maxBytes)") }
        var reader = AtomReader(bytes: [UInt8](data))
        return try reader.read()
    }

    /// The message-id a public-inbox message link ends with:
    /// `https://lore.kernel.org/list/<escaped id>/` -> `<id>`.
    static func messageID(fromLink href: String) -> String? {
        var path = Substring(href.prefix { $0 != "?" && $0 != "#" })
        while path.hasSuffix("/") { path = path.dropLast() }
        guard let last = path.split(separator: "/").last else { return nil }
        let id = MessageID.bare(MessageID.pathUnescaped(last))
        guard !id.isEmpty, id.count <= maxMessageIDLength, id.contains("@"),
              !id.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" })
        else { return nil }
        return id
    }
}

/// A small strict XML reader for Atom: elements, attributes, text, CDATA, comments and the
/// XML declaration; the five predefined entities and character references. A DTD (which
/// could define entities that expand without end) is refused. No recursion: an explicit
/// stack of open elements, bounded by `LoreFeed.maxDepth`.
struct AtomReader {
    let bytes: [UInt8]
    var at = 0

    /// What is being collected for the entry being read.
    private var entry: (link: String?, title: String, email: String, updated: String, inReplyTo: String?)?
    private var entries: [LoreFeed.Entry] = []
    private var unreadable = 0
    private var stack: [String] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    typealias Problem = LoreFeed.Problem

    mutating func read() throws(Problem) -> LoreFeed {
        var sawRoot = false
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "<") {
                if starts(with: "<?") {
                    try skip(past: "?>")
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<![CDATA[") {
                    at += 9
                    let start = at
                    try skip(past: "]]>")
                    try text(String(decoding: bytes[start..<(at - 3)], as: UTF8.self))
                } else if starts(with: "<!") {
                    throw Problem(reason: "a DTD or declaration (<!...>) is not accepted")
                } else if starts(with: "</") {
                    try endTag()
                } else {
                    if stack.isEmpty {
                        guard !sawRoot else { throw Problem(reason: "more than one root element") }
                        sawRoot = true
                    }
                    try startTag()
                }
            } else {
                let start = at
                while at < bytes.count, bytes[at] != UInt8(ascii: "<") { at += 1 }
                let raw = bytes[start..<at]
                if stack.isEmpty {
                    guard raw.allSatisfy({ [9, 10, 13, 32].contains($0) }) else {
                        throw Problem(reason: "text outside the root element")
                    }
                    continue
                }
                try text(try decodeEntities(raw))
            }
        }
        guard sawRoot else { throw Problem(reason: "no root element") }
        guard stack.isEmpty else { throw Problem(reason: "the document ends inside <\(stack.last!)>") }
        return LoreFeed(entries: entries, unreadableEntries: unreadable)
    }

    // MARK: tags

    private mutating func startTag() throws(Problem) {
        at += 1
        let name = try readName()
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard at < bytes.count else { throw Problem(reason: "the document ends inside <\(name)>") }
            if bytes[at] == UInt8(ascii: ">") {
                at += 1
                try open(name, attributes, selfClosing: false)
                return
            }
            if starts(with: "/>") {
                at += 2
                try open(name, attributes, selfClosing: true)
                return
            }
            let attribute = try readName()
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "=") else {
                throw Problem(reason: "attribute \(attribute) of <\(name)> has no value")
            }
            at += 1
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") else {
                throw Problem(reason: "attribute \(attribute) of <\(name)> is not quoted")
            }
            let quote = bytes[at]
            at += 1
            let start = at
            while at < bytes.count, bytes[at] != quote {
                guard bytes[at] != UInt8(ascii: "<") else { throw Problem(reason: "'<' in an attribute of <\(name)>") }
                at += 1
            }
            guard at < bytes.count else { throw Problem(reason: "the document ends inside an attribute of <\(name)>") }
            let value = try decodeEntities(bytes[start..<at])
            at += 1
            guard attributes[attribute] == nil else { throw Problem(reason: "attribute \(attribute) repeated on <\(name)>") }
            guard attributes.count < LoreFeed.maxAttributes else {
                throw Problem(reason: "more than \(LoreFeed.maxAttributes) attributes on <\(name)>")
            }
            attributes[attribute] = value
        }
    }

    private mutating func endTag() throws(Problem) {
        at += 2
        let name = try readName()
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else { throw Problem(reason: "malformed </\(name)>") }
        at += 1
        guard let open = stack.last, open == name else {
            throw Problem(reason: "</\(name)> closes " + (stack.last.map { "<\($0)>" } ?? "nothing"))
        }
        close(name)
        stack.removeLast()
    }

    private mutating func open(_ name: String, _ attributes: [String: String], selfClosing: Bool) throws(Problem) {
        if stack.isEmpty, local(name) != "feed" { throw Problem(reason: "the root element is <\(name)>, not <feed>") }
        guard stack.count < LoreFeed.maxDepth else { throw Problem(reason: "elements nested deeper than \(LoreFeed.maxDepth)") }
        stack.append(name)
        let parent = stack.count >= 2 ? local(stack[stack.count - 2]) : ""
        switch (local(name), parent) {
        case ("entry", "feed"):
            guard entries.count + unreadable < LoreFeed.maxEntries else {
                throw Problem(reason: "more than \(LoreFeed.maxEntries) entries")
            }
            entry = (nil, "", "", "", nil)
        case ("link", "entry"):
            // The message's own page: the link without rel, or rel="alternate".
            let rel = attributes["rel"] ?? "alternate"
            if rel == "alternate", entry?.link == nil { entry?.link = attributes["href"] }
        case ("in-reply-to", "entry"):
            entry?.inReplyTo = attributes["href"]
        default:
            break
        }
        if selfClosing {
            close(name)
            stack.removeLast()
        }
    }

    private mutating func close(_ name: String) {
        guard local(name) == "entry", stack.count == 2, let collected = entry else { return }
        entry = nil
        guard let link = collected.link, let id = LoreFeed.messageID(fromLink: link) else {
            unreadable += 1
            return
        }
        entries.append(LoreFeed.Entry(
            messageID: id, title: collected.title.trimmingCharacters(in: .whitespacesAndNewlines),
            authorEmail: collected.email.isEmpty ? nil : collected.email.trimmingCharacters(in: .whitespaces),
            updated: ISO8601DateFormatter().date(from: collected.updated.trimmingCharacters(in: .whitespaces)),
            inReplyTo: collected.inReplyTo.flatMap(LoreFeed.messageID(fromLink:))))
    }

    /// Text inside the current element: kept for the entry's title, author e-mail and date.
    private mutating func text(_ value: String) throws(Problem) {
        guard entry != nil, stack.count >= 3 else { return }
        let name = local(stack[stack.count - 1]), parent = local(stack[stack.count - 2])
        func add(_ field: inout String) throws(Problem) {
            guard field.count + value.count <= LoreFeed.maxFieldCharacters else {
                throw Problem(reason: "an entry's <\(name)> is longer than \(LoreFeed.maxFieldCharacters) characters")
            }
            field += value
        }
        switch (name, parent, stack.count) {
        case ("title", "entry", 3): try add(&entry!.title)
        case ("updated", "entry", 3): try add(&entry!.updated)
        case ("email", "author", 4): try add(&entry!.email)
        default: break
        }
    }

    // MARK: lexing

    private func local(_ name: String) -> String {
        name.firstIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
    }

    private func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        return text.withUTF8Buffer { prefix in (0..<count).allSatisfy { bytes[at + $0] == prefix[$0] } }
    }

    private mutating func skip(past terminator: StaticString) throws(Problem) {
        while at < bytes.count {
            if starts(with: terminator) {
                at += terminator.utf8CodeUnitCount
                return
            }
            at += 1
        }
        throw Problem(reason: "the document ends before \(terminator)")
    }

    private mutating func skipSpace() {
        while at < bytes.count, [9, 10, 13, 32].contains(bytes[at]) { at += 1 }
    }

    /// Names are ASCII letters, digits, `-_.:` here (all Atom needs), at most 128 long.
    private mutating func readName() throws(Problem) -> String {
        let start = at
        while at < bytes.count, at - start < 128 {
            let byte = bytes[at]
            let isNameByte = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            guard isNameByte else { break }
            at += 1
        }
        guard at > start else { throw Problem(reason: "a tag without a name at byte \(start)") }
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }

    /// `&amp;` and friends, `&#60;`, `&#x3c;`; any other `&` is an error (strict XML).
    private func decodeEntities(_ raw: ArraySlice<UInt8>) throws(Problem) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                index += 1
                continue
            }
            guard let semicolon = raw[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw Problem(reason: "an unterminated entity")
            }
            let name = String(decoding: raw[(index + 1)..<semicolon], as: UTF8.self)
            let replacement: String
            switch name {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                let value: UInt32? = name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16)
                    : name.hasPrefix("#") ? UInt32(name.dropFirst(), radix: 10) : nil
                guard let value, value != 0, let scalar = Unicode.Scalar(value) else {
                    throw Problem(reason: "unknown entity &\(name);")
                }
                replacement = String(scalar)
            }
            out += Array(replacement.utf8)
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
