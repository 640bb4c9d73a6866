import CurlKit

/// Why a source could not be read; `description` is one line naming the cause.
public struct MailSourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The network failure underneath, if any (for retry decisions and exit codes).
    public var underlying: CurlError?

    public init(_ message: String, underlying: CurlError? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
