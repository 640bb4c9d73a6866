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

    /// Redirect limit when none is given: lore's `/r/` and patch.msgid.link take two hops.
    public static let defaultMaxRedirects = 5

    public init(method: String = "GET", url: String, headers: HTTPHeaders = HTTPHeaders(),
                body: Data? = nil, timeouts: TransferTimeouts = TransferTimeouts(),
                maxRedirects: Int = HTTPRequest.defaultMaxRedirects, tls: TLSOptions = TLSOptions()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.maxRedirects = maxRedirects
        self.tls = tls
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
