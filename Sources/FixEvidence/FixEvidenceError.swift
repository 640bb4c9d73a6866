import CurlKit
import Foundation

/// Why evidence for a patch could not be had. Fetching evidence never fails a review: the
/// callers turn these into notes in the report; `description` is one line a user can act
/// on (what, which bug or message, what to do).
public struct FixEvidenceError: Error, Sendable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The dashboard or lore could not be reached or answered with an error.
        public static let unavailable = Kind("unavailable")
        /// The server answered, but not with what its API promises.
        public static let badAnswer = Kind("bad answer")
        /// The bug or message does not exist there.
        public static let notFound = Kind("not found")
    }

    public var kind: Kind
    public var message: String
    public var underlying: CurlError?

    public init(_ kind: Kind, _ message: String, underlying: CurlError? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
