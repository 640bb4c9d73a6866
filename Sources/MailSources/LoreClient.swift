import CurlKit
import Foundation

/// How often to try again after a transient failure (5xx, 429, refused or dropped connection).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Seconds before the second attempt; doubles each time up to `maxDelay`.
    public var initialDelay: Double
    public var maxDelay: Double
    /// Fraction of each delay drawn at random (0...1) so clients do not retry in step.
    public var jitter: Double

    public init(maxAttempts: Int = 4, initialDelay: Double = 0.5, maxDelay: Double = 8, jitter: Double = 0.5) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
    }

    /// Seconds to wait before attempt `attempt` (2, 3, ...).
    public func delay(beforeAttempt attempt: Int) -> Double {
        let base = min(maxDelay, initialDelay * pow(2, Double(max(0, attempt - 2))))
        return base * (1 - jitter * Double.random(in: 0...1))
    }
}

/// Where lore is and how to talk to it.
public struct LoreConfiguration: Sendable {
    public static let defaultBaseURL = "https://lore.kernel.org"
    /// How long a cached thread is used before fetching again: new replies arrive all the
    /// time. Ten minutes, b4's default cache expiry.
    public static let defaultCacheMaxAge: Double = 600
    /// The largest thread (uncompressed mbox) or search result accepted: several times the
    /// largest threads lore serves (tens of MB). Enforced while the gzip file streams in,
    /// so a small archive that inflates without end is stopped at this size.
    public static let defaultMaxThreadBytes = 64 << 20

    /// The public-inbox server (`--lore-url`, config `[lore] url`), no trailing slash.
    public var baseURL: String
    public var timeouts: TransferTimeouts
    public var retry: RetryPolicy
    /// Where fetched threads are kept; nil disables the cache (`--no-cache`).
    public var cacheDirectory: URL?
    public var cacheMaxAge: Double
    public var tls: TLSOptions
    public var maxThreadBytes: Int

    public init(baseURL: String = LoreConfiguration.defaultBaseURL, timeouts: TransferTimeouts = TransferTimeouts(),
                retry: RetryPolicy = RetryPolicy(), cacheDirectory: URL? = nil,
                cacheMaxAge: Double = LoreConfiguration.defaultCacheMaxAge, tls: TLSOptions = TLSOptions(),
                maxThreadBytes: Int = LoreConfiguration.defaultMaxThreadBytes) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeouts = timeouts
        self.retry = retry
        self.cacheDirectory = cacheDirectory
        self.cacheMaxAge = cacheMaxAge
        self.tls = tls
        self.maxThreadBytes = maxThreadBytes
    }
}

/// Threads from lore (or any public-inbox) over libcurl.
public struct LoreClient: Sendable {
    public let client: CurlClient
    public let configuration: LoreConfiguration

    public init(client: CurlClient, configuration: LoreConfiguration) {
        self.client = client
        self.configuration = configuration
    }

    /// The whole thread holding `reference` as lore's mboxrd (t.mbox.gz, gunzipped).
    public func thread(_ reference: LoreThreadReference) async throws -> FetchedMail {
        let base = self.base(for: reference.baseURL)
        let url = "\(base)/\(reference.list ?? "all")/\(MessageID.pathEscaped(reference.messageID))/t.mbox.gz"
        let cacheFile = cacheFile(base: base, reference: reference)
        if let cacheFile, let cached = readCache(cacheFile) {
            return FetchedMail(parts: [.init(kind: .mbox, bytes: cached, origin: url)],
                               notes: ["using the cached copy of \(url) (\(cacheFile.path))"])
        }
        let what = "<\(reference.messageID)>"
        let response = try await get(HTTPRequest(url: url, maxBodyBytes: configuration.maxThreadBytes, decoding: .gunzip),
                                     what: what, base: base)
        if response.status == 404 {
            throw MailSourceError("no thread for <\(reference.messageID)> at \(base)")
        }
        guard response.isSuccess else {
            throw MailSourceError("\(base) answered http \(response.status) for \(what)",
                                  underlying: CurlError.httpStatus(response))
        }
        // Inflated while it arrived (`decoding: .gunzip`), within `maxThreadBytes`.
        let mbox = response.body
        if let cacheFile { writeCache(cacheFile, mbox) }
        return FetchedMail(parts: [.init(kind: .mbox, bytes: mbox, origin: url)])
    }

    /// Runs a public-inbox search (`POST {base}/{list}/?q=QUERY&x=m`) and returns the
    /// matching messages as mboxrd, or nil when nothing matched.
    public func search(_ query: String, list: String? = nil, baseURL: String? = nil) async throws -> Data? {
        let base = self.base(for: baseURL)
        let url = "\(base)/\(list ?? "all")/?q=\(Self.formEncode(query))&x=m"
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                  body: Data("x=m".utf8), maxBodyBytes: configuration.maxThreadBytes, decoding: .gunzip)
        let response = try await get(request, what: "search \(query)", base: base)
        if response.status == 404 { return nil }
        guard response.isSuccess else {
            throw MailSourceError("\(base) answered http \(response.status) for search \(query)",
                                  underlying: CurlError.httpStatus(response))
        }
        return response.body
    }

    /// The server to ask: the one a pasted URL names, except that lore.kernel.org itself
    /// is replaced by the configured mirror (`[lore] url`); without a URL, the configured one.
    public func base(for urlBase: String?) -> String {
        guard let urlBase else { return configuration.baseURL }
        return Self.isPublicLore(urlBase) ? configuration.baseURL : urlBase
    }

    /// Whether `base` (`https://lore.kernel.org`, any scheme or port) is the public lore.
    static func isPublicLore(_ base: String) -> Bool {
        let authority = CurlKitHost.of(base).split(separator: "@").last.map(String.init) ?? ""
        let host = authority.split(separator: ":").first.map { $0.lowercased() } ?? ""
        return SourceSpec.publicLoreHosts.contains(host)
    }

    /// Sends `request`, retrying transient failures as the policy says.
    private func get(_ request: HTTPRequest, what: String, base: String) async throws -> HTTPResponse {
        var request = request
        request.timeouts = configuration.timeouts
        request.tls = configuration.tls
        let policy = configuration.retry
        var attempt = 1
        while true {
            do {
                let response = try await client.send(request)
                let transient = response.status >= 500 || response.status == 429
                guard transient, attempt < policy.maxAttempts else {
                    if transient {
                        throw MailSourceError("\(base) answered http \(response.status) for \(what) after \(attempt) attempts",
                                              underlying: CurlError.httpStatus(response))
                    }
                    return response
                }
            } catch let error as CurlError {
                guard error.isTransient, attempt < policy.maxAttempts else {
                    let tries = attempt > 1 ? " after \(attempt) attempts" : ""
                    throw MailSourceError("\(error) (fetching \(what) from \(base))\(tries)", underlying: error)
                }
            }
            attempt += 1
            try await Task.sleep(nanoseconds: UInt64(policy.delay(beforeAttempt: attempt) * 1e9))
        }
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: cache

    private func cacheFile(base: String, reference: LoreThreadReference) -> URL? {
        guard let directory = configuration.cacheDirectory else { return nil }
        let host = CurlKitHost.of(base)
        return directory.appendingPathComponent("lore")
            .appendingPathComponent(Self.safeName(host))
            .appendingPathComponent(Self.safeName(reference.list ?? "all"))
            .appendingPathComponent(Self.safeName(reference.messageID) + ".mbox")
    }

    private func readCache(_ file: URL) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let modified = attributes[.modificationDate] as? Date,
              Date().timeIntervalSince(modified) < configuration.cacheMaxAge else { return nil }
        return try? LocalFile.read(file.path, limit: configuration.maxThreadBytes, regularOnly: true)
    }

    private func writeCache(_ file: URL, _ data: Data) {
        // A cache that cannot be written only costs a download next time.
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }

    /// A file name that cannot climb out of the cache (`..`, `/`) whatever the id holds.
    static func safeName(_ text: String) -> String {
        var out = "m-"
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "@+=_-.".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

enum CurlKitHost {
    /// `https://lore.kernel.org:443/x` -> `lore.kernel.org:443`.
    static func of(_ url: String) -> String {
        guard let range = url.range(of: "://") else { return url }
        return String(url[range.upperBound...].prefix { $0 != "/" })
    }
}
