import CurlKit
import Foundation
import MboxParser

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

    /// Seconds `password_command` may run (config `password_command_timeout_seconds`).
    public var passwordCommandTimeout: Double

    public static let passwordVariable = "REVIEWBOT_IMAP_PASSWORD"
    public static let defaultDays = 14
    public static let defaultMaxMessages = 5000
    /// The widest `--imap-days` window used: about 30 years, older than any list archive;
    /// a larger number is clamped rather than overflowing a date.
    static let maxSearchDays = 11_000

    // MARK: limits on what a server may make us wait for or hold

    /// One step (connecting, one command) may take this many times `timeout` in all, the
    /// same rule as lore's transfers: a server that dribbles is cut at four times the limit.
    static let stepFactor: Double = 4
    /// The longest any wait is taken as: a timeout of 1e300 seconds means "very long",
    /// not an overflow. A day is longer than any mail fetch should take.
    static let longestWait: Double = 86_400

    static func stepSeconds(timeout: Double) -> Double { min(timeout, longestWait) * stepFactor }

    /// Bytes a command without message content may receive (greeting, LOGIN, SELECT, LIST):
    /// far more than any real reply, far less than a flood.
    static let maxLineBytes = 1 << 20
    /// Bytes a SEARCH or a batch of RFC822.SIZE answers may receive: a few bytes per UID,
    /// so 16 MiB is room for millions of UIDs, far past `maxMessages`.
    static let maxSearchBytes = 16 << 20
    /// A message larger than this is not fetched (it is named in the notes instead): the
    /// mail reader's own per-message limit, postfix's `message_size_limit`.
    static let maxMessageBytes = ParserLimits.defaultMaxMessageBytes
    /// Everything one fetch may bring in: room for `defaultMaxMessages` (5,000) messages of
    /// 50 KB each, well above a typical patch mail; more means the search is too wide,
    /// which the user can narrow.
    static let maxFetchBytes = 256 << 20
    /// Messages and announced bytes per UID FETCH of bodies: a bounded command, so its
    /// deadline and byte budget stay meaningful.
    static let fetchBatch = 100
    static let fetchBatchBytes = 32 << 20
    /// UIDs per RFC822.SIZE fetch.
    static let sizeBatch = 1_000
    /// What a body fetch may receive beyond the sizes the server announced: the FETCH
    /// response framing, a few hundred bytes per message.
    static let framingBytesPerMessage = 1_024
    /// How much of a server's reply an error message quotes.
    static let maxShownReplyCharacters = 300

    static func batches<T>(_ items: [T], of size: Int) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    public init(allowPlaintext: Bool = false, tls: TLSOptions = TLSOptions(), timeout: Double = 30,
                search: Search = .recentPatches(days: IMAPOptions.defaultDays),
                maxMessages: Int = IMAPOptions.defaultMaxMessages, passwordCommand: String? = nil,
                passwordCommandTimeout: Double = PasswordCommand.defaultTimeout,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.allowPlaintext = allowPlaintext
        self.tls = tls
        self.timeout = timeout
        self.search = search
        self.maxMessages = maxMessages
        self.passwordCommand = passwordCommand
        self.passwordCommandTimeout = passwordCommandTimeout
        self.environment = environment
    }

    /// The password from the environment, else from `passwordCommand` (run by /bin/sh).
    func password(for url: IMAPMailboxURL) throws -> String {
        if let password = environment[Self.passwordVariable], !password.isEmpty { return password }
        guard let command = passwordCommand else {
            throw MailSourceError.usage("no password for \(url): set \(Self.passwordVariable) or password_command")
        }
        return try PasswordCommand.firstLine(of: command, environment: environment, what: "[imap] password_command",
                                             timeout: passwordCommandTimeout)
    }
}

/// Runs blocking work (libetpan) on its own thread, never on Swift's cooperative pool.
/// Two signals are blocked on that thread: SIGPIPE, so a write to a connection the server
/// (or the watchdog) closed fails with EPIPE instead of ending the process; and SIGCHLD,
/// which Foundation handles once any `Process` ran, so a child exiting elsewhere cannot
/// interrupt libetpan's wait for the server (it reads an interrupted wait as the end of
/// the stream).
func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            sigaddset(&blocked, SIGCHLD)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            continuation.resume(with: Result { try work() })
        }
        thread.name = "imap"
        thread.start()
    }
}
