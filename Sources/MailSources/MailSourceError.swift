import CurlKit

/// Why a source could not be read; `description` is one line naming the cause.
public struct MailSourceError: Error, Sendable, CustomStringConvertible {
    /// Whose fault it is, which decides the exit code: the user's arguments or
    /// configuration, or the source (network, server, file) itself.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The argument or configuration is wrong; retrying the same command cannot help.
        public static let usage = Kind("usage")
        /// The source, the network or a server failed.
        public static let unavailable = Kind("unavailable")
    }

    public var message: String
    public var kind: Kind
    /// The network failure underneath, if any (for retry decisions and exit codes).
    public var underlying: CurlError?

    public init(_ message: String, kind: Kind = .unavailable, underlying: CurlError? = nil) {
        self.message = message
        self.kind = kind
        self.underlying = underlying
    }

    /// A failure the user fixes by changing the command line or the configuration.
    public static func usage(_ message: String) -> MailSourceError {
        MailSourceError(message, kind: .usage)
    }

    public var description: String { message }
}
