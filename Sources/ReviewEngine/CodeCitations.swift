import Foundation
import MboxParser

/// The code a finding names: functions, fields, structs and macros cited in its comment
/// and evidence. A model that cites a function that exists nowhere has reviewed code it
/// imagined, so such a finding is dropped before verification (`DropReason.citesUnknownCode`).
///
/// What counts as a citation, chosen so prose is not mistaken for code:
/// - anywhere: `name()` (empty parentheses, the way reviews name functions), and the field
///   after `->` (`priv->dev`: only `dev` is checked, the pointer is a local name);
/// - inside backticks: every `name(` (a call), `.field` after a name, `)` or `]`,
///   `struct|union|enum name`, and ALL_CAPS names (macros);
/// - `struct name` in prose when the name has an underscore (`struct snd_card`), which
///   English words do not.
/// Keywords, builtins, names of fewer than three characters and file extensions are left
/// out.
public struct CodeCitations: Sendable, Hashable {
    /// Identifiers checked per finding: each may cost a look-up in the tree, and a finding
    /// naming more than 32 pieces of code is long enough that missing ones still show.
    public static let maxPerFinding = 32

    /// C keywords and compiler builtins that look like calls (`sizeof(x)`), and words that
    /// follow a `.` in prose or paths (`.c`, `.yaml`).
    static let ignored: Set<String> = [
        "if", "for", "while", "switch", "return", "sizeof", "typeof", "__typeof__", "alignof", "_Alignof",
        "__alignof__", "defined", "do", "else", "case", "goto", "break", "continue", "default", "static",
        "const", "volatile", "inline", "asm", "__asm__", "_Generic", "_Static_assert", "static_assert",
        "int", "char", "void", "long", "short", "unsigned", "signed", "bool", "float", "double",
        "yaml", "dtsi", "txt", "rst", "json", "html", "patch", "diff",
    ]

    /// Identifiers in citation order, without repeats.
    public var names: [String]

    public init(comment: String, evidence: String?) {
        var names: [String] = []
        var seen = Set<String>()
        func add(_ name: Substring) {
            let name = String(name)
            guard name.count >= 3, !Self.ignored.contains(name), !name.hasPrefix("__builtin"),
                  names.count < Self.maxPerFinding, seen.insert(name).inserted else { return }
            names.append(name)
        }
        for text in [comment, evidence ?? ""] {
            for match in text.matches(of: Self.emptyCall) { add(match.output.1) }
            for match in text.matches(of: Self.arrowField) { add(match.output.1) }
            for match in text.matches(of: Self.proseStruct) { add(match.output.1) }
            for span in Self.codeSpans(in: text) {
                for match in span.matches(of: Self.call) { add(match.output.1) }
                for match in span.matches(of: Self.dotField) { add(match.output.1) }
                for match in span.matches(of: Self.taggedType) { add(match.output.1) }
                for match in span.matches(of: Self.macro) { add(match.output.1) }
            }
        }
        self.names = names
    }

    nonisolated(unsafe) static let emptyCall = #/\b([A-Za-z_][A-Za-z0-9_]*)\(\)/#
    nonisolated(unsafe) static let arrowField = #/->\s*([A-Za-z_][A-Za-z0-9_]*)/#
    nonisolated(unsafe) static let proseStruct = #/\b(?:struct|union|enum)\s+([A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*)/#
    nonisolated(unsafe) static let call = #/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/#
    nonisolated(unsafe) static let dotField = #/[A-Za-z0-9_\)\]]\.([A-Za-z_][A-Za-z0-9_]*)/#
    nonisolated(unsafe) static let taggedType = #/\b(?:struct|union|enum)\s+([A-Za-z_][A-Za-z0-9_]*)/#
    nonisolated(unsafe) static let macro = #/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,}[0-9]*)\b/#

    /// The text between pairs of backticks on one line.
    static func codeSpans(in text: String) -> [Substring] {
        text.split(separator: "\n").flatMap { line in
            line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map(\.element)
        }
    }
}

/// Every identifier-like word of a series (diff lines of every file and the commit
/// messages), for the citation check: a name the series itself adds, removes or shows
/// exists as far as a finding about it is concerned.
struct SeriesWords: Sendable {
    private var words: Set<Substring> = []

    init(_ series: ReviewSeries) {
        for item in series.patches {
            Self.collect(item.patch.commitMessage, into: &words)
            for file in item.patch.files {
                for hunk in file.hunks {
                    Self.collect(hunk.functionContext, into: &words)
                    for line in hunk.lines { Self.collect(line.text, into: &words) }
                }
            }
        }
    }

    func contains(_ name: String) -> Bool { words.contains(Substring(name)) }

    private static func collect(_ text: String, into words: inout Set<Substring>) {
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            let isWord = c == "_" || (c.isASCII && (c.isLetter || c.isNumber))
            if isWord, start == nil { start = index }
            if !isWord, let begun = start {
                words.insert(text[begun..<index])
                start = nil
            }
            index = text.index(after: index)
        }
        if let begun = start { words.insert(text[begun...]) }
    }
}

extension ReviewRunner {
    /// Drops kept findings that cite code existing neither in the tree after their patch
    /// nor anywhere in the series. Only with a tree: without one, a name missing from the
    /// patch may well exist in the files around it, so nothing could be concluded.
    func checkCitations(_ selections: inout [FindingSelection], series: ReviewSeries, tree: ReviewTree) async {
        let words = SeriesWords(series)
        var known: [String: Bool] = [:]
        for patch in selections.indices {
            var kept: [AnchoredFinding] = []
            for finding in selections[patch].kept {
                var missing: [String] = []
                for name in CodeCitations(comment: finding.finding.comment, evidence: finding.finding.evidence).names
                where !words.contains(name) {
                    let key = "\(finding.patchIndex)\u{0}\(name)"
                    if known[key] == nil { known[key] = await tree.provider.exists(name, patchIndex: finding.patchIndex) }
                    if known[key] == false { missing.append(name) }
                }
                if missing.isEmpty {
                    kept.append(finding)
                } else {
                    selections[patch].dropped.append(DroppedFinding(finding, reason: .citesUnknownCode(names: missing)))
                }
            }
            selections[patch].kept = kept
        }
    }
}
