import CurlKit
import Foundation

/// How the API key is presented to the server.
public enum APIAuthStyle: String, Sendable, Hashable, CaseIterable {
    /// `x-api-key: KEY`, what api.anthropic.com expects.
    case xAPIKey = "x-api-key"
    /// `Authorization: Bearer KEY`, what some gateways and proxies expect instead.
    case bearer
}

/// The key, kept out of every printed form of the values that hold it (`print`, `dump`,
/// string interpolation, debugger summaries).
final class APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let secret: String
    init(_ secret: String) { self.secret = secret }
    var description: String { "<redacted api key>" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: []) }

    /// `text` with every form of the key replaced, for anything that may be shown.
    func redacting(_ text: String) -> String { SecretRedactor([secret]).redact(text) }
}

/// `MessagesTransport` over libcurl: `POST {baseURL}/v1/messages` with the key, the API
/// version and a per-request timeout. Any HTTP status is returned as an answer (the runner
/// decides on retries); only a missing answer throws `TransportError`.
public struct CurlMessagesTransport: MessagesTransport, CustomStringConvertible {
    /// The version header the wire types follow.
    public static let anthropicVersion = "2023-06-01"
    /// Anthropic's endpoint, used when neither config nor `ANTHROPIC_BASE_URL` names one.
    public static let defaultBaseURL = "https://api.anthropic.com"
    /// The largest answer accepted; a longer one ends the request while it arrives. An
    /// answer is at most `max_tokens` of output (128,000 tokens for the largest current
    /// models, well under 1 MB of JSON); 8 MiB leaves room for a gateway's wrapping
    /// without letting a broken proxy fill memory or the response cache.
    public static let maxAnswerBytes = 8 << 20

    public let client: CurlClient
    /// `https://api.anthropic.com` or a gateway, without `/v1/messages`.
    public let baseURL: String
    public let authStyle: APIAuthStyle
    /// Seconds to establish the connection; the request timeout bounds the whole exchange.
    public let connectTimeout: Double
    private let key: APIKey

    /// `apiKey` is held in memory only and never appears in messages this type produces.
    public init(client: CurlClient, baseURL: String = CurlMessagesTransport.defaultBaseURL, apiKey: String,
                authStyle: APIAuthStyle = .xAPIKey, connectTimeout: Double = 10) {
        self.client = client
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.authStyle = authStyle
        self.connectTimeout = connectTimeout
        self.key = APIKey(apiKey)
    }

    public var endpoint: String { baseURL + "/v1/messages" }

    /// The base URL to use: `ANTHROPIC_BASE_URL` when set and not empty (the convention of
    /// Anthropic's SDKs, so a gateway set up for them works here too), else the configured
    /// one, else Anthropic's.
    public static func resolveBaseURL(configured: String?, environment: [String: String]) -> String {
        for candidate in [environment["ANTHROPIC_BASE_URL"], configured] {
            if let value = candidate?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return defaultBaseURL
    }

    public var description: String { "CurlMessagesTransport(\(endpoint), \(authStyle.rawValue))" }

    public func send(body: Data, timeout: Duration) async throws -> HTTPAnswer {
        var headers = HTTPHeaders()
        switch authStyle {
        case .xAPIKey: headers.add("x-api-key", key.secret)
        case .bearer: headers.add("Authorization", "Bearer " + key.secret)
        }
        headers.add("anthropic-version", Self.anthropicVersion)
        headers.add("content-type", "application/json")
        headers.add("accept", "application/json")
        let seconds = timeout.seconds
        // No low-speed limit: without streaming the server sends nothing until the whole
        // answer is ready, so silence for minutes is normal and only `total` applies.
        let timeouts = TransferTimeouts(connect: min(connectTimeout, seconds), total: seconds,
                                        lowSpeedBytesPerSecond: nil, lowSpeedSeconds: nil)
        // Redirects are not followed: a redirected POST would carry the key to another host.
        let request = HTTPRequest(method: "POST", url: endpoint, headers: headers, body: body,
                                  timeouts: timeouts, maxRedirects: 0, maxBodyBytes: Self.maxAnswerBytes)
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch let error as CurlError {
            throw TransportError(kind: Self.kind(of: error), message: key.redacting("messages api: \(error.message)"))
        } catch {
            throw TransportError(kind: .other, message: key.redacting("messages api: \(error)"))
        }
        var fields: [String: String] = [:]
        for field in response.headers { fields[field.name.lowercased()] = field.value }
        // A proxy or gateway may echo the request headers in any answer, a 200 included.
        return redactor.redact(HTTPAnswer(status: response.status, headers: fields, body: response.body))
    }

    /// Removes the key from anything the server sent back.
    public var redactor: SecretRedactor { SecretRedactor([key.secret]) }

    /// Timeouts and broken or refused connections are worth another try (a gateway
    /// restarting refuses for a moment); DNS, TLS and bad URLs are setup problems.
    static func kind(of error: CurlError) -> TransportError.Kind {
        switch error.kind {
        case .timedOut: .timeout
        case .connectionRefused, .connectionLost: .connectionReset
        // `.tooLarge` too: the same request would get the same oversized answer.
        default: .other
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
