import CurlKit
import Foundation

/// A list archive that grows while a test runs, served as public-inbox serves a list:
/// `/{list}/new.atom` (the newest 25 messages, newest first, with `ETag`/`Last-Modified`
/// and 304 for a matching `If-None-Match`), and each message's thread at
/// `/{list}/{mid}/t.mbox.gz` and `/{list}/{mid}/raw` holding only what was published so far.
/// `failFeed` makes the next feed requests answer with an error status.
public final class GrowingLore: @unchecked Sendable {
    private struct Message {
        var id: String
        var root: String
        var raw: Data
        var subject: String
        var from: String
        var inReplyTo: String?
        var number: Int
    }

    public let list: String
    private let lock = NSLock()
    // Guarded by `lock`.
    private var messages: [Message] = []
    private var failures: [Int] = []
    private var feedRequests = 0
    private var notModified = 0

    /// public-inbox puts this many entries in new.atom.
    public static let feedEntries = 25

    public init(list: String) { self.list = list }

    /// Adds one message (mboxrd entry or bare message) to the archive.
    public func publish(_ message: Data) {
        let id = FakeLore.header("Message-ID", in: Self.withSeparator(message)).map(FakeLore.bareID) ?? UUID().uuidString
        let parent = FakeLore.header("In-Reply-To", in: Self.withSeparator(message)).map(FakeLore.bareID)
        let refs = FakeLore.header("References", in: Self.withSeparator(message))?
            .split(separator: " ").map { FakeLore.bareID(String($0)) } ?? []
        lock.withLock {
            let root = refs.first ?? parent.flatMap { p in messages.first { $0.id == p }?.root } ?? id
            messages.append(Message(id: id, root: root, raw: Self.withSeparator(message),
                                    subject: FakeLore.header("Subject", in: Self.withSeparator(message)) ?? "",
                                    from: FakeLore.header("From", in: Self.withSeparator(message)) ?? "",
                                    inReplyTo: parent, number: messages.count + 1))
        }
    }

    /// Every message of a fixture mbox, in order.
    public func publishAll(_ mbox: Data) {
        for message in FakeLore.split(mbox) { publish(message) }
    }

    /// The next `count` feed requests answer `status`.
    public func failFeed(_ count: Int, status: Int = 500) {
        lock.withLock { failures += Array(repeating: status, count: count) }
    }

    /// Feed requests so far, and how many of them were answered 304.
    public var feedStats: (requests: Int, notModified: Int) { lock.withLock { (feedRequests, notModified) } }

    public func start() throws -> HTTPServer {
        try HTTPServer { [self] request in respond(to: request) }
    }

    public func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        guard segments.first == list else { return .notFound }
        if segments == [list, "new.atom"] { return feed(request) }
        guard segments.count == 3, let id = segments[1].removingPercentEncoding else { return .notFound }
        let (thread, one): ([Message], Message?) = lock.withLock {
            guard let message = messages.first(where: { $0.id == id }) else { return ([], nil) }
            return (messages.filter { $0.root == message.root }, message)
        }
        guard let one else { return .notFound }
        switch segments[2] {
        case "raw":
            return HTTPServerResponse(headers: ["Content-Type": "text/plain; charset=UTF-8"], body: one.raw)
        case "t.mbox.gz":
            guard let gz = try? Gzip.compress(thread.reduce(into: Data()) { $0.append($1.raw) }) else {
                return .text("gzip failed\n", status: 500)
            }
            return HTTPServerResponse(headers: ["Content-Type": "application/gzip"], body: gz)
        default:
            return .notFound
        }
    }

    private func feed(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let (failure, newest, count): (Int?, [Message], Int) = lock.withLock {
            feedRequests += 1
            let failure = failures.isEmpty ? nil : failures.removeFirst()
            return (failure, Array(messages.suffix(Self.feedEntries).reversed()), messages.count)
        }
        if let failure { return .text("upstream trouble\n", status: failure) }
        let etag = "\"feed-\(count)\""
        if request.headers["If-None-Match"] == etag {
            lock.withLock { notModified += 1 }
            return HTTPServerResponse(status: 304, headers: ["ETag": etag])
        }
        let base = "http://lore.invalid/\(list)"
        var xml = """
            <?xml version="1.0" encoding="us-ascii"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">\
            <title>\(list)</title><link rel="alternate" type="text/html" href="\(base)/"/>\
            <link rel="self" href="\(base)/new.atom"/><id>mailto:\(list)@vger.kernel.org</id>\
            <updated>2024-01-01T00:00:00Z</updated>
            """
        for message in newest {
            let email = message.from.split(separator: "<").last.map { String($0.prefix { $0 != ">" }) } ?? message.from
            xml += "<entry><author><name>\(Self.escape(message.from))</name><email>\(Self.escape(email))</email></author>"
            xml += "<title>\(Self.escape(message.subject))</title><updated>2024-01-01T00:00:\(String(format: "%02d", message.number % 60))Z</updated>"
            xml += "<link href=\"\(base)/\(Self.escape(Self.pathEscaped(message.id)))/\"/><id>urn:uuid:\(message.number)</id>"
            if let parent = message.inReplyTo {
                xml += "<thr:in-reply-to ref=\"urn:uuid:parent\" href=\"\(base)/\(Self.escape(Self.pathEscaped(parent)))/\"/>"
            }
            xml += "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><pre style=\"white-space:pre-wrap\">"
            xml += Self.escape(String(decoding: message.raw.prefix(400), as: UTF8.self)) + "</pre></div></content></entry>\n"
        }
        xml += "</feed>\n"
        return HTTPServerResponse(headers: ["Content-Type": "application/atom+xml", "ETag": etag,
                                            "Last-Modified": "Mon, 01 Jan 2024 00:00:\(String(format: "%02d", count % 60)) GMT"],
                                  body: Data(xml.utf8))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
                out += scalar.value < 0x80 ? String(scalar) : "&#\(scalar.value);"
            }
        }
        return out
    }

    static func pathEscaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    static func withSeparator(_ message: Data) -> Data {
        message.starts(with: Data("From ".utf8)) ? message : Data("From mboxrd@z Thu Jan  1 00:00:00 1970\n".utf8) + message
    }
}
