/// The on-disk shapes of the symbol index (`$XDG_CACHE_HOME/reviewbot/trees/<tree>/index-vN/`):
///
/// - `files.tsv`: one line per C file of the tree, `blob TAB size TAB path`; a file's id
///   is its line number (0-based), in `git ls-tree` order.
/// - `postings.bin`: sorted 64-bit words `hash << 32 | file << 1 | defines`: every
///   identifier of every indexed file, by FNV-1a hash, with a bit saying whether the file
///   defines it. A hash collision only adds a file to look at; the file is then read.
/// - `outlines-N.txt` and `outlines.idx`: each file's definitions as text lines
///   (`kind TAB line TAB end TAB static TAB name TAB scope`), found through two words per
///   file in the idx (`worker << 56 | offset`, length).
/// - `meta`: the format version and counts, written last: an index without it is
///   incomplete and rebuilt.
enum SymbolIndexFormat {
    /// Bump when any file's shape or meaning changes: older indexes are then ignored.
    static let version = 1
    static let directoryName = "index-v\(version)"
}

/// FNV-1a over an identifier's bytes: cheap, and good enough as a first filter.
enum IdentifierHash {
    @inline(__always)
    static func of(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        var i = start
        while i < end {
            hash = (hash ^ UInt32(bytes[i])) &* 16_777_619
            i += 1
        }
        return hash
    }

    static func of(_ name: String) -> UInt32 {
        var name = name
        return name.withUTF8 { of($0, from: 0, to: $0.count) }
    }

    /// Keywords are in nearly every file and never looked up.
    static let keywords: Set<UInt32> = Set(CVocabulary.keywords.map(of))
}

extension CDefinition {
    /// One line of `outlines-N.txt`.
    func indexLine() -> String {
        "\(Character(Unicode.Scalar(kind.rawValue)))\t\(line)\t\(endLine)\t\(isStatic ? 1 : 0)\t\(name)\t\(scope)\n"
    }

    /// `indexLine()` written as bytes straight into `buffer` (the index build writes
    /// millions of them).
    func appendIndexLine(to buffer: inout [UInt8]) {
        func number(_ value: Int) {
            if value >= 10 { number(value / 10) }
            buffer.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        buffer.append(kind.rawValue)
        buffer.append(UInt8(ascii: "\t"))
        number(max(0, line))
        buffer.append(UInt8(ascii: "\t"))
        number(max(0, endLine))
        buffer.append(UInt8(ascii: "\t"))
        buffer.append(isStatic ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        buffer.append(UInt8(ascii: "\t"))
        buffer.append(contentsOf: name.utf8)
        buffer.append(UInt8(ascii: "\t"))
        buffer.append(contentsOf: scope.utf8)
        buffer.append(UInt8(ascii: "\n"))
    }

    init?(indexLine line: Substring) {
        let fields = line.split(separator: "\t", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, let letter = fields[0].utf8.first, let kind = Kind(rawValue: letter),
              let start = Int(fields[1]), let end = Int(fields[2]) else { return nil }
        self.init(name: String(fields[4]), kind: kind, line: start, endLine: end, scope: String(fields[5]),
                  isStatic: fields[3] == "1")
    }
}
