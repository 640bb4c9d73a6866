import CCurl

/// Why a transfer failed. One type for HTTP and SMTP; `description` names the cause in
/// one line (`could not resolve host lore.example`, `timed out after 2s`).
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, stable enough to branch on (retry decisions, exit codes).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let couldNotResolveHost = Kind("could not resolve host")
        public static let connectionRefused = Kind("connection refused")
        /// Connected, then the peer hung up or the bytes did not arrive.
        public static let connectionLost = Kind("connection lost")
        public static let timedOut = Kind("timed out")
        public static let tls = Kind("tls")
        public static let loginDenied = Kind("login denied")
        /// The server answered, with a status the caller treats as failure.
        public static let httpStatus = Kind("http status")
        /// The server answered, but refused what was asked (SMTP 5xx, too many redirects).
        public static let protocolFailure = Kind("protocol")
        public static let invalidRequest = Kind("invalid request")
        public static let decompression = Kind("decompression")
        /// An answer over its size limit (body, decoded body, header count).
        public static let tooLarge = Kind("too large")
        public static let cancelled = Kind("cancelled")
    }

    public var kind: Kind
    /// The full one-line message.
    public var message: String
    /// The HTTP status when `kind == .httpStatus`.
    public var status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }

    /// Worth trying again: the peer was unreachable for a moment or failed on its side.
    /// Timeouts are not: the caller's time budget is spent.
    public var isTransient: Bool {
        switch kind {
        case .connectionRefused, .connectionLost: return true
        case .httpStatus: return (status ?? 0) >= 500 || status == 429
        default: return false
        }
    }

    /// An HTTP answer the caller did not want (`http 404 from URL`).
    public static func httpStatus(_ response: HTTPResponse) -> CurlError {
        CurlError(.httpStatus, "http \(response.status) from \(response.effectiveURL)", status: response.status)
    }

    /// Maps a finished transfer's code to a message naming the cause.
    static func transfer(_ code: CURLcode, detail: String, host: String, timeoutSeconds: Double?) -> CurlError {
        let detail = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return CurlError(.couldNotResolveHost, "could not resolve host \(host)")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return CurlError(.couldNotResolveHost, "could not resolve proxy: \(detail)")
        case CURLE_COULDNT_CONNECT:
            let refused = detail.lowercased().contains("refused") || detail.contains("Couldn't connect")
            return CurlError(.connectionRefused,
                             refused ? "connection refused by \(host)" : "could not connect to \(host): \(detail)")
        case CURLE_OPERATION_TIMEDOUT:
            let limit = timeoutSeconds.map { "timed out after \(formatSeconds($0))" } ?? "timed out"
            return CurlError(.timedOut, "\(limit) waiting for \(host)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_USE_SSL_FAILED, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            return CurlError(.tls, "tls with \(host) failed: \(detail)")
        case CURLE_LOGIN_DENIED:
            return CurlError(.loginDenied, "login denied by \(host)")
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return CurlError(.connectionLost, "connection to \(host) lost: \(detail)")
        case CURLE_TOO_MANY_REDIRECTS:
            return CurlError(.protocolFailure, "too many redirects from \(host)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return CurlError(.invalidRequest, "invalid url for \(host): \(detail)")
        case CURLE_ABORTED_BY_CALLBACK:
            return CurlError(.cancelled, "transfer to \(host) cancelled")
        default:
            return CurlError(.protocolFailure, "\(host): \(detail)")
        }
    }
}

/// `2s`, `0.5s`: timeouts as a user wrote them.
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
}
