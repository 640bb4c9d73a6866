import Foundation

/// File patterns as MAINTAINERS writes them, matched the way `scripts/get_maintainer.pl`
/// matches them:
/// - `F:` a path pattern where `*` is any run of characters and `?` any one character,
///   compared from the start of the path. A pattern ending in `/` takes everything in
///   and below that directory; any other pattern must also have as many `/` as the path,
///   so `drivers/net/*` takes the files of drivers/net but not of its subdirectories.
///   get_maintainer.pl adds the `/` itself when the pattern names a directory of the tree
///   (`F: tools/testing/selftests/alsa`); without a tree, a pattern with no wildcard
///   also takes the paths below it as a directory.
/// - `X:` the same, for paths to leave out; tested before `F:`.
/// - `N:` a regular expression (extended: spaces are ignored) found anywhere in the path.
public struct FilePatterns: Sendable, Hashable {
    public var files: [String]
    public var excluded: [String]
    public var regexes: [String]

    public init(files: [String] = [], excluded: [String] = [], regexes: [String] = []) {
        self.files = files
        self.excluded = excluded
        self.regexes = regexes
    }

    public var isEmpty: Bool { files.isEmpty && regexes.isEmpty }

    /// A pattern longer than this is no path pattern (MAINTAINERS' longest are ~100).
    public static let maxPatternLength = 1_024

    /// Why a pattern set cannot be used.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var pattern: String
        public var reason: String
        public var description: String { "file pattern '\(pattern)': \(reason)" }
    }

    /// The patterns compiled once, for matching many paths.
    public func compiled() throws(Problem) -> Matcher {
        func check(_ pattern: String) throws(Problem) {
            guard pattern.count <= Self.maxPatternLength else {
                throw Problem(pattern: String(pattern.prefix(40)) + "...", reason: "longer than \(Self.maxPatternLength) characters")
            }
        }
        var include: [Matcher.PathPattern] = []
        var exclude: [Matcher.PathPattern] = []
        var names: [NSRegularExpression] = []
        for pattern in files {
            try check(pattern)
            include.append(try Matcher.PathPattern(pattern))
        }
        for pattern in excluded {
            try check(pattern)
            exclude.append(try Matcher.PathPattern(pattern))
        }
        for pattern in regexes {
            try check(pattern)
            do {
                names.append(try NSRegularExpression(pattern: pattern, options: [.allowCommentsAndWhitespace]))
            } catch {
                throw Problem(pattern: pattern, reason: "not a regular expression")
            }
        }
        return Matcher(include: include, exclude: exclude, names: names)
    }

    public struct Matcher: @unchecked Sendable {
        // NSRegularExpression is immutable once made and documented thread-safe.
        struct PathPattern {
            let regex: NSRegularExpression
            /// `/` in the pattern when it must equal the path's (no trailing `/`).
            let slashes: Int?
            /// A wildcard-free pattern without a trailing `/`: also a directory.
            let literal: String?

            init(_ pattern: String) throws(Problem) {
                var regex = "^"
                for character in pattern {
                    switch character {
                    case "*": regex += ".*"
                    case "?": regex += "."
                    default: regex += NSRegularExpression.escapedPattern(for: String(character))
                    }
                }
                do { self.regex = try NSRegularExpression(pattern: regex) } catch {
                    throw Problem(pattern: pattern, reason: "cannot be compiled")
                }
                let isDirectory = pattern.hasSuffix("/")
                slashes = isDirectory ? nil : pattern.filter { $0 == "/" }.count
                literal = isDirectory || pattern.contains(where: { $0 == "*" || $0 == "?" }) ? nil : pattern
            }

            func matches(_ path: String) -> Bool {
                if let literal, path.hasPrefix(literal + "/") { return true }
                guard regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil else { return false }
                guard let slashes else { return true }
                return path.filter { $0 == "/" }.count == slashes
            }
        }

        let include: [PathPattern]
        let exclude: [PathPattern]
        let names: [NSRegularExpression]

        /// Whether `path` is covered: not excluded by an `X:`, and taken by an `F:` or `N:`.
        public func matches(_ path: String) -> Bool {
            if exclude.contains(where: { $0.matches(path) }) { return false }
            if include.contains(where: { $0.matches(path) }) { return true }
            return names.contains { $0.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil }
        }

        /// Whether any of `paths` is covered.
        public func matchesAny(_ paths: some Sequence<String>) -> Bool { paths.contains(where: matches) }
    }
}
