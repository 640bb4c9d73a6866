import Foundation
import MboxParser

/// A `Fixes: <sha> ("subject")` trailer, as the kernel's submitting-patches asks for it.
public struct FixesTag: Sendable, Hashable, Codable {
    /// The commit id as written (abbreviated, lowercase).
    public var commit: String
    /// The quoted subject, when the tag has one.
    public var subject: String?
    /// The commit-message line, as written: the anchor of a finding about the tag.
    public var line: String

    public init(commit: String, subject: String?, line: String) {
        self.commit = commit
        self.subject = subject
        self.line = line
    }

    /// The `Fixes:` tags of a commit message's trailers, in order.
    public static func all(in trailers: [Trailer]) -> [FixesTag] {
        trailers.compactMap { trailer in
            trailer.name.lowercased() == "fixes" ? parse(trailer.value, line: "\(trailer.name): \(trailer.value)") : nil
        }
    }

    /// `abc123def456 ("foo: bar")`; also `commit abc123 ("...")` and a subject in plain
    /// parentheses. The id must be 4 to 64 hex digits (git's shortest abbreviation to a
    /// SHA-256 id); anything else is not a commit and not a tag we can check.
    public static func parse(_ value: String, line: String) -> FixesTag? {
        var rest = Substring(value.trimmingCharacters(in: .whitespaces))
        if rest.lowercased().hasPrefix("commit ") { rest = rest.dropFirst(7).drop { $0 == " " } }
        let id = rest.prefix { !$0.isWhitespace && $0 != "(" }
        let lowered = id.lowercased()
        guard (4...64).contains(lowered.count), lowered.allSatisfy({ $0.isHexDigit }) else { return nil }
        rest = rest.dropFirst(id.count).drop(while: \.isWhitespace)
        var subject: String?
        if rest.hasPrefix("(\""), let close = rest.range(of: "\")", options: .backwards), close.lowerBound > rest.index(rest.startIndex, offsetBy: 2) {
            subject = String(rest[rest.index(rest.startIndex, offsetBy: 2)..<close.lowerBound])
        } else if rest.hasPrefix("("), let close = rest.lastIndex(of: ")"), close > rest.startIndex {
            subject = String(rest[rest.index(after: rest.startIndex)..<close])
        }
        return FixesTag(commit: lowered, subject: subject.map { UntrustedText.oneLine($0) }, line: line)
    }
}
