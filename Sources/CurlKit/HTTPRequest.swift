import Foundation

/// Limits for one transfer. `nil` means libcurl's default (no limit, except connect: 300s).
public struct TransferTimeouts: Sendable, Hashable {
    /// Seconds to establish the connection (TCP and TLS).
    public var connect: Double?
    /// Seconds for the whole transfer, redirects included.
    public var total: Double?
    /// Abort when fewer than `lowSpeedBytesPerSecond` arrive for `lowSpeedSeconds`.
    public var lowSpeedBytesPerSecond: Int?
    public var lowSpeedSeconds: Int?

    /// The longest timeout handed to libcurl, in milliseconds: libcurl keeps some of them
    /// in an `int` (about 24.8 days). A longer or non-finite setting saturates to it.
    public static let maxMilliseconds = Int(Int32.max)

    /// `seconds` as libcurl's milliseconds, saturating: 1e300 must not trap.
    public static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return seconds > 0 ? maxMilliseconds : 0 }
        return Int(min(max(seconds * 1000, 0), Double(maxMilliseconds)).rounded(.up))
    }

    public init(connect: Double? = 10, total: Double? = 120,
                lowSpeedBytesPerSecond: Int? = 1, lowSpeedSeconds: Int? = 60) {
        self.connect = connect
        self.total = total
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
    }
}

/// How the peer's certificate is checked. The default trusts the system's CA store.
public struct TLSOptions: Sendable, Hashable {
    /// A PEM file of CA certificates (or a self-signed certificate) to trust instead.
    public var caFile: String?
    /// Skip verification entirely. Only for tests against throwaway servers; never a default.
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// One HTTP request. A value: build it, hand it to `HTTPClient.send`.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    /// Sent as given; secrets (API keys) belong here, never in the URL.
    public var headers: HTTPHeaders
    public var body: Data?
    public var timeouts: TransferTimeouts
    /// Redirects followed before giving up; 0 disables following.
    public var maxRedirects: Int
    public var tls: TLSOptions
    /// The most body bytes accepted (after decoding); a longer answer ends the transfer
    /// while it arrives, with `CurlError.Kind.tooLarge`.
    public var maxBodyBytes: Int
    /// How a successful answer's body is decoded as it arrives.
    public var decoding: BodyDecoding

    public enum BodyDecoding: Sendable, Hashable {
        case none
        /// A gzip file (lore's `t.mbox.gz`), inflated while it streams; `maxBodyBytes`
        /// bounds the inflated size. Error answers (not 2xx) are kept as sent.
        case gunzip
    }

    /// Redirect limit when none is given: lore's `/r/` and patch.msgid.link take two hops.
    public static let defaultMaxRedirects = 5
    /// Body limit when none is given: 64 MiB, several times the largest thread lore serves
    /// (tens of MB), far below what would strain memory.
    public static let defaultMaxBodyBytes = 64 << 20

    public init(method: String = "GET", url: String, headers: HTTPHeaders = HTTPHeaders(),
                body: Data? = nil, timeouts: TransferTimeouts = TransferTimeouts(),
                maxRedirects: Int = HTTPRequest.defaultMaxRedirects, tls: TLSOptions = TLSOptions(),
                maxBodyBytes: Int = HTTPRequest.defaultMaxBodyBytes, decoding: BodyDecoding = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.maxRedirects = maxRedirects
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
        self.decoding = decoding
    }
}

/// What the server answered. Any status is a response, not an error: callers decide.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    /// The headers of the final response (after redirects).
    public var headers: HTTPHeaders
    public var body: Data
    /// The URL that answered, after redirects.
    public var effectiveURL: String

    public init(status: Int, headers: HTTPHeaders, body: Data, effectiveURL: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.effectiveURL = effectiveURL
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The response itself when 2xx, otherwise `CurlError.httpStatus`.
    public func requireSuccess() throws(CurlError) -> HTTPResponse {
        guard isSuccess else { throw CurlError.httpStatus(self) }
        return self
    }
}
