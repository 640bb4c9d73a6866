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
    /// user, the password comes from REVIEWBOT_SMTP_PASSWORD, else `password_command`;
    /// never from the command line.
    public func smtpServer(flags: SMTPFlags = SMTPFlags(), environment: [String: String]) throws -> SMTPServer {
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
            } else {
                throw ReviewBotError("no password for smtp user \(user): set \(Self.smtpPasswordVariable) or [smtp] password_command")
            }
        }
        return SMTPServer(url: url, username: user, password: password,
                          allowPlaintext: flags.allowPlaintext || smtp.allowPlaintext,
                          tls: TLSOptions(caFile: flags.caFile), timeouts: Self.timeouts(seconds))
    }
}
