import CurlKit
import Foundation

/// What to ask an IMAP server for and how to reach it.
public struct IMAPOptions: Sendable {
    public enum Search: Sendable, Hashable {
        /// `SUBJECT "PATCH" SINCE <today - days>`.
        case recentPatches(days: Int)
        /// A raw IMAP search program (`FROM "x" SUBJECT "net-next"`), sent after `UID SEARCH`.
        case raw(String)
    }

    /// Allow `imap://` without STARTTLS. For a loopback test server; never a default.
    public var allowPlaintext: Bool
    public var tls: TLSOptions
    /// Seconds for connect and for each read or write (mailimap_set_timeout).
    public var timeout: Double
    public var search: Search
    /// Refuse to fetch more than this many messages: a mistaken search of a whole archive
    /// folder should stop with a message, not fill memory. Narrow the search instead.
    public var maxMessages: Int
    /// A shell command whose first line of output is the password (config `password_command`).
    public var passwordCommand: String?
    /// The environment to read `REVIEWBOT_IMAP_PASSWORD` from.
    public var environment: [String: String]

    public static let passwordVariable = "REVIEWBOT_IMAP_PASSWORD"
    public static let defaultDays = 14
    public static let defaultMaxMessages = 5000

    public init(allowPlaintext: Bool = false, tls: TLSOptions = TLSOptions(), timeout: Double = 30,
                search: Search = .recentPatches(days: IMAPOptions.defaultDays),
                maxMessages: Int = IMAPOptions.defaultMaxMessages, passwordCommand: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.allowPlaintext = allowPlaintext
        self.tls = tls
        self.timeout = timeout
        self.search = search
        self.maxMessages = maxMessages
        self.passwordCommand = passwordCommand
        self.environment = environment
    }

    /// The password from the environment, else from `passwordCommand` (run by /bin/sh).
    func password(for url: IMAPMailboxURL) throws -> String {
        if let password = environment[Self.passwordVariable], !password.isEmpty { return password }
        guard let command = passwordCommand else {
            throw MailSourceError.usage("no password for \(url): set \(Self.passwordVariable) or password_command")
        }
        return try PasswordCommand.firstLine(of: command, environment: environment)
    }
}

/// Runs blocking work (libetpan) on its own thread, never on Swift's cooperative pool.
func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.name = "imap"
        thread.start()
    }
}
