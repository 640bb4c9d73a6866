/// What went wrong while reading mail: a source that cannot be opened, or one message that
/// broke a limit. Messages say what happened and where, lowercase, no full stop.
public struct MboxParserError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; new kinds can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file, directory or stdin could not be opened or read.
        public static let unreadableSource = Code("unreadable source")
        /// A message is larger than `ParserLimits.maxMessageBytes`.
        public static let messageTooLarge = Code("message too large")
        /// A header block is larger than `ParserLimits.maxHeaderBytes`.
        public static let headerTooLarge = Code("header too large")
        /// More header fields than `ParserLimits.maxHeaderCount`.
        public static let tooManyHeaders = Code("too many headers")
        /// A header line longer than `ParserLimits.maxLineBytes`.
        public static let lineTooLong = Code("line too long")
        /// Multipart nesting deeper than `ParserLimits.maxMIMEDepth`.
        public static let mimeTooDeep = Code("mime too deep")
        /// More MIME parts than `ParserLimits.maxMIMEParts`.
        public static let tooManyMIMEParts = Code("too many mime parts")
    }

    public var code: Code
    /// Where the failing message is; nil when the whole source failed.
    public var location: MessageLocation?
    /// The file or path the error is about when there is no message location.
    public var path: String?
    /// What happened, and what to do about it when that is not obvious.
    public var reason: String

    public init(_ code: Code, location: MessageLocation? = nil, path: String? = nil, reason: String) {
        self.code = code
        self.location = location
        self.path = path
        self.reason = reason
    }

    /// `<file>:<message number>: <reason>` for message errors, `<path>: <reason>` otherwise.
    public var description: String {
        if let location { return "\(location): \(reason)" }
        if let path { return "\(path): \(reason)" }
        return reason
    }
}
