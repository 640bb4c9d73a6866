import Foundation
import MboxParser

/// The C functions a diff changes, read from the diff alone: the function git names in each
/// hunk header, or a function whose definition starts inside the hunk above the changed
/// line. (With a tree, the tree knows better; these are what the diff proves.)
public enum ChangedFunctions {
    /// Functions with a changed (added or removed) line, per file, in diff order.
    public static func of(_ patch: Patch) -> [(file: String, functions: [String])] {
        patch.files.map { file in
            var names: [String] = []
            for hunk in file.hunks {
                var current = name(inDefinition: hunk.functionContext)
                for line in hunk.lines {
                    if line.kind != .removed, let started = functionStart(line.text) { current = started }
                    guard line.kind == .added || line.kind == .removed, let name = current else { continue }
                    if !names.contains(name) { names.append(name) }
                }
            }
            return (file.path, names)
        }
    }

    /// Every function the patch changes, without repeats.
    public static func all(in patch: Patch) -> [String] {
        var seen = Set<String>()
        return of(patch).flatMap(\.functions).filter { seen.insert($0).inserted }
    }

    /// The name a function definition's first line declares, if the line is one: an
    /// identifier in column 0, then a `(` (not a statement, not a macro call ending in `;`).
    static func functionStart(_ text: String) -> String? {
        guard let first = text.first, first.isLetter || first == "_" else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).hasSuffix(";") else { return nil }
        return name(inDefinition: text)
    }

    /// `static int __init foo_probe(struct platform_device *pdev)` -> `foo_probe`. Git's
    /// hunk header context has the same shape; a line without a `(` or whose last word
    /// before it is a keyword names no function.
    public static func name(inDefinition text: String) -> String? {
        guard let open = text.firstIndex(of: "(") else { return nil }
        let before = text[..<open].trimmingCharacters(in: .whitespaces)
        let word = before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        let name = String(word.reversed())
        let keywords: Set<String> = ["if", "for", "while", "switch", "return", "sizeof", "do", "else", "case",
                                     "typeof", "__typeof__", "defined", "struct", "union", "enum"]
        guard let first = name.first, first.isLetter || first == "_", !keywords.contains(name),
              name.utf8.count <= FixEvidenceLimits.symbolBytes else { return nil }
        return name
    }
}
