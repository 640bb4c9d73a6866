import CCurl
import Foundation

/// Where and how to submit mail.
public struct SMTPServer: Sendable, Hashable {
    /// `smtps://host[:465]` (implicit TLS) or `smtp://host[:587]` (STARTTLS).
    public var url: String
    public var username: String?
    /// Kept in memory and handed to libcurl as an option; never part of a URL or argv.
    public var password: String?
    /// Allow an `smtp://` session without STARTTLS (a loopback test server). Off by default:
    /// without it the session must upgrade to TLS or fail.
    public var allowPlaintext: Bool
    public var tls: TLSOptions
    public var timeouts: TransferTimeouts

    public init(url: String, username: String? = nil, password: String? = nil, allowPlaintext: Bool = false,
                tls: TLSOptions = TLSOptions(), timeouts: TransferTimeouts = TransferTimeouts()) {
        self.url = url
        self.username = username
        self.password = password
        self.allowPlaintext = allowPlaintext
        self.tls = tls
        self.timeouts = timeouts
    }

    /// The host (and port) for messages; never the user or password.
    public var host: String { CurlTransfer.host(of: url) }
}

extension SMTPServer: CustomStringConvertible {
    /// The URL and user; never the password.
    public var description: String { "\(url) as \(username ?? "(no user)")" }
}

extension CurlClient {
    /// Submits one message: MAIL FROM `from`, RCPT TO each of `recipients`, then the
    /// message bytes (line endings made CRLF; libcurl dot-stuffs). `progress` hears, on
    /// libcurl's thread and while the session is still open, when DATA started and when
    /// the server accepted the message, before libcurl sends QUIT and waits for its answer.
    public func sendMail(_ message: Data, from: String, to recipients: [String], via server: SMTPServer,
                         progress: (@Sendable (SMTPDelivery) -> Void)? = nil) async throws {
        guard !recipients.isEmpty else { throw CurlError(.invalidRequest, "no recipients for the message") }
        let transfer = try smtpTransfer(server)
        try transfer.set(CURLOPT_MAIL_FROM, "<\(from)>")
        try transfer.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        try transfer.setUpload(LineEndings.crlf(message))
        if let progress {
            var watcher = SMTPReplyWatcher()
            try transfer.observeReplies { line in
                if let event = watcher.receive(line) { progress(event) }
            }
        }
        let code = await loop.perform(transfer)
        guard code == CURLE_OK else { throw smtpError(transfer, code, server) }
    }

    /// Opens a session as `sendMail` would (greeting, EHLO, STARTTLS or implicit TLS, AUTH)
    /// and closes it with QUIT, sending nothing: whether the TLS policy, the certificate
    /// and the login work, known before anyone is asked about a draft.
    public func checkMailServer(_ server: SMTPServer) async throws {
        let transfer = try smtpTransfer(server)
        try transfer.set(CURLOPT_CONNECT_ONLY, 1)
        let code = await loop.perform(transfer)
        guard code == CURLE_OK else { throw smtpError(transfer, code, server) }
    }

    private func smtpTransfer(_ server: SMTPServer) throws -> CurlTransfer {
        let lower = server.url.lowercased()
        guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
            throw CurlError(.invalidRequest, "not an smtp:// or smtps:// url: \(CurlTransfer.host(of: server.url))")
        }
        let transfer = try CurlTransfer(url: server.url, timeouts: server.timeouts, tls: server.tls,
                                        userAgent: configuration.userAgent)
        try transfer.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        // End the session with QUIT once the message is in, rather than leave a logged-in
        // connection idling in libcurl's cache until the server drops it.
        try transfer.set(CURLOPT_FORBID_REUSE, 1)
        // libcurl waits for the answer to QUIT, and to each command, up to this long; its
        // default is 120 s whatever the transfer's own limits say.
        let seconds = server.timeouts.lowSpeedSeconds ?? Int((server.timeouts.total ?? 60).rounded(.up))
        try transfer.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, seconds))
        if lower.hasPrefix("smtp://") {
            try transfer.set(CURLOPT_USE_SSL, Int(server.allowPlaintext ? CURLUSESSL_TRY.rawValue : CURLUSESSL_ALL.rawValue))
        }
        if let username = server.username { try transfer.set(CURLOPT_USERNAME, username) }
        if let password = server.password { try transfer.set(CURLOPT_PASSWORD, password) }
        return transfer
    }

    /// libcurl's message may quote the server's reply: never the password, never a control
    /// character on the user's terminal.
    private func smtpError(_ transfer: CurlTransfer, _ code: CURLcode, _ server: SMTPServer) -> CurlError {
        var error = transfer.error(for: code)
        // libcurl reports a refused MAIL/RCPT/DATA as a send/receive error; it is not a lost line.
        if error.kind == CurlError.Kind.connectionLost, transfer.responseCode >= 400 {
            error = CurlError(.protocolFailure, "smtp server \(transfer.host) refused the message: \(transfer.errorDetail)")
        }
        let redactor = SecretRedactor([server.password].compactMap { $0 })
        error.message = TerminalText.visible(redactor.redact(error.message))
        return error
    }
}
