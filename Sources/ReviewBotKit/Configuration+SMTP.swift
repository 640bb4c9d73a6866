import CurlKit
import Foundation
import MailSources

/// Command-line flags that override `[smtp]`. nil (false for switches) means "as configured".
public struct SMTPFlags: Sendable, Equatable {
    /// `--smtp-url`.
    public var url: String?
    /// `--smtp-user`.
    public var user: String?
    /// `--smtp-allow-plaintext`.
    public var allowPlaintext: Bool
    /// `--ca-file`.
    public var caFile: String?
    /// `--timeout`, seconds.
    public var timeout: Double?

    public init(url: String? = nil, user: String? = nil, allowPlaintext: Bool = false,
                caFile: String? = nil, timeout: Double? = nil) {
        self.url = url
        self.user = user
        self.allowPlaintext = allowPlaintext
        self.caFile = caFile
        self.timeout = timeout
    }
}

extension Configuration {
    /// Where the SMTP password comes from when `[smtp] password_command` is not used.
    public static let smtpPasswordVariable = "REVIEWBOT_SMTP_PASSWORD"

    /// The submission server for `reviewbot send`: `[smtp]` with the flags on top. With a
    /// user, the password comes from REVIEWBOT_SMTP_PASSWORD, else `password_command`, else
    /// `askPassword` (a question on the terminal, as git send-email asks); never from the
    /// command line. The TLS policy is checked here, before anything is asked or sent:
    /// `smtps://` is TLS from the start, `smtp://` must upgrade with STARTTLS, and plaintext
    /// is allowed only to a loopback server, since the password would cross the network in clear.
    public func smtpServer(flags: SMTPFlags = SMTPFlags(), environment: [String: String],
                           askPassword: (@Sendable (String) -> String?)? = nil) throws -> SMTPServer {
        guard let url = flags.url ?? smtp.url, !url.isEmpty else {
            throw ReviewBotError("no smtp server: set url in the [smtp] section of the config, or pass --smtp-url")
        }
        let lower = url.lowercased()
        guard let scheme = ["smtp://", "smtps://"].first(where: { lower.hasPrefix($0) }) else {
            throw ReviewBotError("the smtp url must start with smtp:// or smtps://")
        }
        let authority = url.dropFirst(scheme.count).prefix { $0 != "/" }
        // A user (and perhaps a password) in the URL would end up in error messages.
        guard !authority.contains("@") else {
            throw ReviewBotError("put the smtp user in [smtp] user or --smtp-user, not in the url")
        }
        guard !authority.isEmpty else { throw ReviewBotError("no host in the smtp url") }
        let allowPlaintext = flags.allowPlaintext || smtp.allowPlaintext
        if allowPlaintext, scheme == "smtp://", !Self.isLoopback(host: String(authority)) {
            throw ReviewBotError("plaintext smtp (--smtp-allow-plaintext or [smtp] allow_plaintext) is only for a loopback test server, not \(authority): the password and the mail would cross the network in clear; use smtps:// or smtp:// with STARTTLS")
        }
        let seconds = try Self.positive(flags.timeout ?? Double(smtp.timeoutSeconds), "smtp timeout")
        let user = flags.user ?? smtp.user
        var password: String?
        if let user {
            if let fromEnvironment = environment[Self.smtpPasswordVariable], !fromEnvironment.isEmpty {
                password = fromEnvironment
            } else if let command = smtp.passwordCommand {
                password = try PasswordCommand.firstLine(of: command, environment: environment,
                                                         what: "[smtp] password_command",
                                                         timeout: Double(smtp.passwordCommandTimeoutSeconds))
            } else if let askPassword {
                guard let answer = askPassword("Password for \(user) at \(authority): "), !answer.isEmpty else {
                    throw ReviewBotError("no password given for smtp user \(user)")
                }
                password = answer
            } else {
                throw ReviewBotError("no password for smtp user \(user): set \(Self.smtpPasswordVariable) or [smtp] password_command, or run reviewbot send on a terminal to be asked")
            }
        }
        return SMTPServer(url: url, username: user, password: password, allowPlaintext: allowPlaintext,
                          tls: TLSOptions(caFile: flags.caFile), timeouts: Self.timeouts(seconds))
    }

    /// `127.0.0.1:2525`, `[::1]:25`, `localhost` and the rest of 127/8.
    static func isLoopback(host authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            host = host.dropFirst().prefix { $0 != "]" }
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        let lower = host.lowercased()
        return lower == "localhost" || lower == "::1" || lower.hasPrefix("127.")
    }
}
