import CCurl
import Foundation

/// Sends HTTP requests and mail through libcurl. Owns one event-loop thread (a
/// `curl_multi` handle) shared by all its transfers; create one per process and pass it
/// to whoever needs the network. Safe to use from any task.
public final class CurlClient: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Sent as `User-Agent` unless a request sets its own.
        public var userAgent: String

        public init(userAgent: String = "reviewbot/\(CurlClient.productVersion)") {
            self.userAgent = userAgent
        }
    }

    /// The version in the User-Agent (`reviewbot/<version>`).
    public static let productVersion = "0.1.0"

    public let configuration: Configuration
    let loop: CurlMultiLoop

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.loop = CurlMultiLoop()
    }

    deinit { loop.stop() }

    /// Performs `request`, following redirects. Any HTTP status is returned as a response;
    /// transport failures throw `CurlError` naming the cause, and so does a body over
    /// `request.maxBodyBytes` (`.tooLarge`, as soon as the limit is passed).
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = try CurlTransfer(url: request.url, timeouts: request.timeouts, tls: request.tls,
                                        userAgent: configuration.userAgent)
        transfer.maxBodyBytes = request.maxBodyBytes
        transfer.decoding = request.decoding
        try transfer.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try transfer.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if request.maxRedirects > 0 {
            try transfer.set(CURLOPT_FOLLOWLOCATION, 1)
            try transfer.set(CURLOPT_MAXREDIRS, request.maxRedirects)
        }
        switch request.method.uppercased() {
        case "GET":
            if let body = request.body { try transfer.setPostBody(body); try transfer.set(CURLOPT_CUSTOMREQUEST, "GET") }
        case "HEAD":
            try transfer.set(CURLOPT_NOBODY, 1)
        case "POST":
            try transfer.setPostBody(request.body ?? Data())
        default:
            if let body = request.body { try transfer.setPostBody(body) }
            try transfer.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        if !request.headers.contains("Expect") {
            lines.append("Expect:")  // no 100-continue round trip before the body
        }
        try transfer.set(CURLOPT_HTTPHEADER, list: lines)

        let code = await loop.perform(transfer)
        guard code == CURLE_OK else { throw transfer.error(for: code) }
        try transfer.finishBody()
        return HTTPResponse(status: transfer.responseCode, headers: transfer.headers, body: transfer.body,
                            effectiveURL: transfer.effectiveURL)
    }
}
