import Foundation

/// An `NSRegularExpression` compiled once and shared. The class is immutable after
/// initialisation and documented as safe to use from several threads, which is what
/// makes the `@unchecked Sendable` sound.
struct CompiledRegex: @unchecked Sendable {
    private let regex: NSRegularExpression

    /// `^` and `$` match at line boundaries, so a trigger like `^\+\s*goto` works on the
    /// newline-joined lines of a hunk.
    init(_ pattern: String) throws {
        regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
    }

    /// The first match in `text`, if any.
    func firstMatch(in text: String) -> Substring? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, options: [], range: range),
              let found = Range(match.range, in: text) else { return nil }
        return text[found]
    }
}
