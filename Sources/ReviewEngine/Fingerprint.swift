import Crypto
import Foundation
import MboxParser

/// What makes a finding "the same" across revisions of a series: SHA-256 of the normalized
/// file path, the category, the anchor line and the lines around it in its hunk. Line
/// numbers are left out on purpose, so unrelated changes elsewhere in the file do not make
/// an old finding look new, while any change next to the anchor does.
public struct Fingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Lowercase hex SHA-256.
    public var hex: String

    /// Lines either side of the anchor that belong to its identity: close enough that a
    /// fix of the finding changes them, far enough that a nearby unrelated edit is rare.
    public static let neighbourLines = 2

    public init(hex: String) { self.hex = hex }

    public init(file: String, category: FindingCategory, hunk: Hunk, lineIndex: Int) {
        let lines = hunk.lines.filter { $0.kind != .noNewlineMarker }
        let anchorIndex = hunk.lines[..<lineIndex].reduce(0) { $0 + ($1.kind == .noNewlineMarker ? 0 : 1) }
        let window = max(0, anchorIndex - Self.neighbourLines)..<min(lines.count, anchorIndex + Self.neighbourLines + 1)
        var parts = [Self.normalizedPath(file), category.rawValue, Self.normalizedCode(hunk.lines[lineIndex].text)]
        parts += lines[window].map { String($0.patchText.prefix(1)) + Self.normalizedCode($0.text) }
        hex = SHA256.hex(of: Data(parts.joined(separator: "\u{0}").utf8))
    }

    public var description: String { hex }

    static func normalizedPath(_ path: String) -> String {
        var components = path.split(separator: "/", omittingEmptySubsequences: true)
        while components.first == "." { components.removeFirst() }
        return components.joined(separator: "/")
    }

    /// Whitespace runs collapsed to one space and trimmed: re-indenting is not a change.
    static func normalizedCode(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension SHA256 {
    /// Lowercase hex digest, the form stored in the state database.
    static func hex(of data: Data) -> String {
        hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
