import CurlKit
import Foundation

/// A stand-in for lore.kernel.org (public-inbox) serving fixture threads under lore's real
/// paths: `/{list|all}/{mid}/t.mbox.gz` (a gzip file), `/{list}/{mid}/raw`, `/{list}/{mid}`
/// (301 to the trailing slash), `/{list}/{mid}/`, `/T/`, `/t/` (HTML), `/r/{mid}` (302 to
/// the list), 404 for unknown ids, and search (`POST /{list}/?q=...&x=m`, gzip'd mbox).
///
/// Fixture threads are public-inbox mboxrd. Indexing them needs only message boundaries and
/// two headers, so this splits on `From mboxrd@z ` lines and reads `Message-ID:` and
/// `Subject:` itself rather than depending on the mail parser it helps to test.
public struct FakeLore: Sendable {
    public struct Thread: Sendable {
        public var list: String
        public var mbox: Data
        public init(list: String, mbox: Data) {
            self.list = list
            self.mbox = mbox
        }
    }

    struct Entry: Sendable {
        var thread: Int
        /// The message as its own one-message mboxrd (separator line to trailing blank line).
        var raw: Data
        var subject: String
    }

    public let threads: [Thread]
    private let byMessageID: [String: Entry]
    private let ordered: [(id: String, entry: Entry)]

    public init(threads: [Thread]) {
        self.threads = threads
        var index: [String: Entry] = [:]
        var ordered: [(String, Entry)] = []
        for (number, thread) in threads.enumerated() {
            for raw in Self.split(thread.mbox) {
                guard let id = Self.header("Message-ID", in: raw).map(Self.bareID) else { continue }
                let entry = Entry(thread: number, raw: raw, subject: Self.header("Subject", in: raw) ?? "")
                if index[id] == nil { index[id] = entry }
                ordered.append((id, entry))
            }
        }
        byMessageID = index
        self.ordered = ordered
    }

    /// Every message-id in thread `number`, in archive order.
    public func messageIDs(inThread number: Int) -> [String] {
        ordered.filter { $0.entry.thread == number }.map(\.id)
    }

    /// One message of the fixtures as `/raw` serves it.
    public func rawMessage(_ id: String) -> Data? { byMessageID[id]?.raw }

    /// Starts a loopback server answering like lore.
    public func start() throws -> HTTPServer {
        try HTTPServer { request in respond(to: request) }
    }

    /// The answer lore would give; usable inside a custom handler that scripts failures.
    public func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first else { return .text("<html>public-inbox</html>\n") }
        if first == "r", segments.count >= 2 {
            guard let id = Self.decode(segments[1]), let entry = byMessageID[id] else { return .notFound }
            return .redirect(to: "/\(threads[entry.thread].list)/\(segments[1])/", status: 302)
        }
        if segments.count == 1 {
            return search(list: first, request: request)
        }
        guard let id = Self.decode(segments[1]), let entry = byMessageID[id],
              first == "all" || first == threads[entry.thread].list else { return .notFound }
        let rest = Array(segments.dropFirst(2))
        switch rest {
        case []:
            if request.path.hasSuffix("/") { return html("message \(id)") }
            return .redirect(to: request.path + "/", status: 301)
        case ["T"], ["t"]:
            return html("thread of \(id)")
        case ["raw"]:
            return HTTPServerResponse(headers: ["Content-Type": "text/plain; charset=UTF-8"], body: entry.raw)
        case ["t.mbox.gz"]:
            return gzipMbox(threads[entry.thread].mbox)
        default:
            return .notFound
        }
    }

    /// public-inbox answers an mbox only to POST with x=m; a GET gets the HTML results page.
    private func search(list: String, request: HTTPServerRequest) -> HTTPServerResponse {
        let query = request.queryItems.first { $0.name == "q" }?.value ?? ""
        let wantsMbox = request.method == "POST"
            && (request.queryItems + request.formItems).contains { $0.name == "x" && $0.value == "m" }
        guard wantsMbox else { return html("search results for \(query)") }
        let phrases = Self.subjectPhrases(query)
        let bodyPhrases = Self.phrases(query, prefix: "nq:")
        let hits = ordered.filter { item in
            (list == "all" || threads[item.entry.thread].list == list)
                && phrases.allSatisfy { item.entry.subject.lowercased().contains($0.lowercased()) }
                && bodyPhrases.allSatisfy { String(decoding: item.entry.raw, as: UTF8.self).lowercased().contains($0.lowercased()) }
        }
        guard !hits.isEmpty, !phrases.isEmpty || !bodyPhrases.isEmpty else { return .text("No results found\n", status: 404) }
        return gzipMbox(hits.reduce(into: Data()) { $0.append($1.entry.raw) })
    }

    private func gzipMbox(_ mbox: Data) -> HTTPServerResponse {
        guard let gz = try? Gzip.compress(mbox) else { return .text("gzip failed\n", status: 500) }
        return HTTPServerResponse(headers: ["Content-Type": "application/gzip"], body: gz)
    }

    private func html(_ text: String) -> HTTPServerResponse {
        HTTPServerResponse(headers: ["Content-Type": "text/html; charset=UTF-8"],
                           body: Data("<html><body><pre>\(text)</pre></body></html>\n".utf8))
    }

    // MARK: just enough mail reading to index fixtures

    public static func split(_ mbox: Data) -> [Data] {
        let separator = Data("From mboxrd@z ".utf8)
        var starts: [Data.Index] = []
        var lineStart = mbox.startIndex
        while lineStart < mbox.endIndex {
            if mbox[lineStart...].starts(with: separator) { starts.append(lineStart) }
            guard let newline = mbox[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            lineStart = newline + 1
        }
        return starts.enumerated().map { number, start in
            Data(mbox[start..<(number + 1 < starts.count ? starts[number + 1] : mbox.endIndex)])
        }
    }

    /// The unfolded value of the first header `name` (raw, no RFC 2047 decoding).
    static func header(_ name: String, in message: Data) -> String? {
        var value: String?
        for rawLine in message.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropFirst() {
            let line = Substring(String(decoding: rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine, as: UTF8.self))
            if line.isEmpty { break }
            if value != nil {
                if line.first == " " || line.first == "\t" { value! += " " + line.trimmingCharacters(in: .whitespaces); continue }
                break
            }
            if line.lowercased().hasPrefix(name.lowercased() + ":") {
                value = line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
            }
        }
        return value
    }

    static func bareID(_ id: String) -> String {
        var id = id.trimmingCharacters(in: .whitespaces)
        if id.hasPrefix("<"), let end = id.firstIndex(of: ">") { id = String(id[id.index(after: id.startIndex)..<end]) }
        return id
    }

    static func decode(_ segment: String) -> String? { segment.removingPercentEncoding }

    /// The `s:"..."` / `s:word` terms of a public-inbox query.
    static func subjectPhrases(_ query: String) -> [String] { phrases(query, prefix: "s:") }

    /// The `PREFIX"..."` / `PREFIXword` terms of a public-inbox query (`nq:` searches the
    /// unquoted body text; here, the whole message).
    static func phrases(_ query: String, prefix: String) -> [String] {
        var phrases: [String] = []
        var rest = Substring(query)
        while let range = rest.range(of: prefix) {
            // `nq:` ends in `q:`, and `s:` is the tail of other prefixes: only a whole prefix counts.
            if range.lowerBound > rest.startIndex, rest[rest.index(before: range.lowerBound)].isLetter {
                rest = rest[range.upperBound...]
                continue
            }
            rest = rest[range.upperBound...]
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                phrases.append(String(rest[..<end]))
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let word = rest.prefix { !$0.isWhitespace }
                phrases.append(String(word))
                rest = rest[word.endIndex...]
            }
        }
        return phrases
    }
}
