import Foundation

/// A path glob as trigger tables use them, matched against a whole repository path:
/// `*` and `?` stay inside one path segment, `**` as a whole segment spans any number of
/// segments (`net/**`, `**/Kconfig`, `drivers/**/usb/*.c`), `[...]` is a character class
/// (`[!...]` or `[^...]` negates, ranges allowed), and `\x` is a literal `x`.
struct Glob: Sendable {
    /// Why a glob does not compile, in words for the error message.
    struct Problem: Error {
        var message: String
    }

    let pattern: String
    private let regex: CompiledRegex

    init(_ pattern: String) throws(Problem) {
        guard !pattern.isEmpty else { throw Problem(message: "empty glob") }
        guard !pattern.hasPrefix("/") else {
            throw Problem(message: "globs are relative to the tree root; drop the leading '/'")
        }
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        var regex = "^"
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            if segment == "**" {
                regex += isLast ? ".*" : "(?:[^/]+/)*"
                continue
            }
            guard !segment.isEmpty else { throw Problem(message: "empty path segment ('//' or a trailing '/')") }
            guard !segment.contains("**") else {
                throw Problem(message: "'**' must be a whole path segment, as in 'net/**/*.c'")
            }
            regex += try Self.translate(segment)
            if !isLast { regex += "/" }
        }
        regex += "$"
        self.pattern = pattern
        do {
            self.regex = try CompiledRegex(regex)
        } catch {
            throw Problem(message: "does not compile: \(error.localizedDescription)")
        }
    }

    func matches(_ path: String) -> Bool { regex.firstMatch(in: path) != nil }

    /// One path segment without `**` into regex syntax.
    private static func translate(_ segment: Substring) throws(Problem) -> String {
        var out = ""
        var index = segment.startIndex
        while index < segment.endIndex {
            let character = segment[index]
            index = segment.index(after: index)
            switch character {
            case "*": out += "[^/]*"
            case "?": out += "[^/]"
            case "\\":
                guard index < segment.endIndex else { throw Problem(message: "trailing '\\' escapes nothing") }
                out += NSRegularExpression.escapedPattern(for: String(segment[index]))
                index = segment.index(after: index)
            case "[":
                out += try characterClass(segment, from: &index)
            default:
                out += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return out
    }

    /// Reads a class after its `[`, leaving `index` past the closing `]`.
    private static func characterClass(_ segment: Substring, from index: inout Substring.Index) throws(Problem) -> String {
        var members: [Character] = []
        var negated = false
        if index < segment.endIndex, segment[index] == "!" || segment[index] == "^" {
            negated = true
            index = segment.index(after: index)
        }
        var closed = false
        while index < segment.endIndex {
            let character = segment[index]
            index = segment.index(after: index)
            if character == "]", !members.isEmpty {
                closed = true
                break
            }
            members.append(character)
        }
        guard closed else { throw Problem(message: "unterminated '[' character class") }
        var out = negated ? "[^" : "["
        var position = 0
        while position < members.count {
            let low = members[position]
            if position + 2 < members.count, members[position + 1] == "-" {
                let high = members[position + 2]
                guard low <= high else { throw Problem(message: "range '\(low)-\(high)' is reversed") }
                out += escapeInClass(low) + "-" + escapeInClass(high)
                position += 3
            } else {
                out += escapeInClass(low)
                position += 1
            }
        }
        return out + (negated ? "/]" : "]")
    }

    private static func escapeInClass(_ character: Character) -> String {
        "\\^-[]&~".contains(character) ? "\\" + String(character) : String(character)
    }
}
