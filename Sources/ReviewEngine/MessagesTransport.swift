import CurlKit
import Foundation

/// An HTTP answer from `POST /v1/messages`, whatever its status.
public struct HTTPAnswer: Sendable, Hashable {
    public var status: Int
    /// Header names in lowercase.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }
}

/// A request that got no HTTP answer.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No complete answer within the request timeout: worth another try.
        case timeout
        /// The connection was refused or broke (reset, closed early): worth another try.
        case connectionReset
        /// Anything else (DNS, TLS, a bad URL): a setup problem that retrying will not fix.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Sends one Messages API request. The implementation adds the endpoint, the key and
/// `anthropic-version`; the engine hands it the finished JSON body.
public protocol MessagesTransport: Sendable {
    /// Returns any HTTP answer (errors included); throws `TransportError` when there is none.
    func send(body: Data, timeout: Duration) async throws -> HTTPAnswer
    /// The secrets this transport sends (the API key), to be removed from every answer
    /// before any of it is kept.
    var redactor: SecretRedactor { get }
}

extension MessagesTransport {
    public var redactor: SecretRedactor { .none }
}

extension SecretRedactor {
    /// The answer with every secret removed from its body and header values.
    public func redact(_ answer: HTTPAnswer) -> HTTPAnswer {
        guard !isEmpty else { return answer }
        return HTTPAnswer(status: answer.status, headers: answer.headers.mapValues { redact($0) }, body: redact(answer.body))
    }

    public func redact(_ error: TransportError) -> TransportError {
        TransportError(kind: error.kind, message: redact(error.message))
    }
}

/// Time, injectable so retry and pacing tests do not wait.
public protocol ReviewClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemClock: ReviewClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
