/// Everything that can go wrong reading a tree, with a message that says what, where, and
/// what to do. A struct with a code so cases can be added without breaking callers.
public struct KernelTreeError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The path is not a git repository, or git refuses it.
        public static let notARepository = Code("not a repository")
        /// `--base REV` names nothing git can resolve to a commit.
        public static let unknownRevision = Code("unknown revision")
        /// git failed, timed out or could not be started.
        public static let gitFailed = Code("git failed")
        /// The index cache could not be written or read.
        public static let cache = Code("cache")
        /// A path from a patch or a tool call points outside the tree.
        public static let badPath = Code("bad path")
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Whether the user can fix it by changing arguments or configuration (exit 2) rather
    /// than a tool or the system failing (exit 3).
    public var isUsageError: Bool { code == .notARepository || code == .unknownRevision || code == .badPath }
}
