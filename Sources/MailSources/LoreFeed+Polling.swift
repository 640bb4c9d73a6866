import CurlKit
import Foundation

/// What a conditional GET of a list's feed said.
public enum LoreFeedPoll: Sendable, Equatable {
    /// 304: nothing new since the validators were issued.
    case notModified
    /// 200: the feed, and the validators to send next time.
    case feed(LoreFeed, validators: LoreFeedValidators)
}

/// `ETag` and `Last-Modified` of the last feed received, sent back as `If-None-Match` and
/// `If-Modified-Since` so an unchanged feed costs the server a 304.
public struct LoreFeedValidators: Sendable, Hashable, Codable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }

    /// A validator is echoed into a request header, so it must be one visible line of
    /// reasonable length; anything else from the server is dropped.
    static func usable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= maxLength,
              value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else { return nil }
        return value
    }

    /// Longer than any real ETag or HTTP date (both well under 100 bytes).
    static let maxLength = 256
}

extension LoreClient {
    /// `{base}/{list}/new.atom`: the list's newest messages.
    public func feedURL(list: String, baseURL: String? = nil) -> String {
        "\(baseURL ?? configuration.baseURL)/\(MessageID.pathEscaped(list))/new.atom"
    }

    /// One conditional GET of the list's feed. No retries here: the watcher polls again
    /// anyway, after a backoff when this failed. A status other than 200 or 304 throws,
    /// with the status in the underlying error.
    public func pollFeed(list: String, validators: LoreFeedValidators, baseURL: String? = nil) async throws -> LoreFeedPoll {
        let url = feedURL(list: list, baseURL: baseURL)
        var request = HTTPRequest(url: url)
        request.timeouts = configuration.timeouts
        request.tls = configuration.tls
        if let etag = LoreFeedValidators.usable(validators.etag) { request.headers.set("If-None-Match", etag) }
        if let date = LoreFeedValidators.usable(validators.lastModified) { request.headers.set("If-Modified-Since", date) }
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch let error as CurlError {
            throw MailSourceError("\(error) (polling \(url))", underlying: error)
        }
        if response.status == 304 { return .notModified }
        guard response.status == 200 else {
            throw MailSourceError("\(url) answered http \(response.status)", underlying: CurlError.httpStatus(response))
        }
        let feed: LoreFeed
        do { feed = try LoreFeed.parse(response.body) } catch {
            throw MailSourceError("\(url): \(error)")
        }
        return .feed(feed, validators: LoreFeedValidators(etag: LoreFeedValidators.usable(response.headers["ETag"]),
                                                          lastModified: LoreFeedValidators.usable(response.headers["Last-Modified"])))
    }
}
