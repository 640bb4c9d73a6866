import Foundation

/// The kernel's MAINTAINERS file: entries of a title line followed by `X:<TAB>value`
/// lines (`M:` maintainer, `L:` list, `F:` files, `X:` excluded files, `N:` file-name
/// regex, ...), separated by blank lines. The prose before the first entry (older files
/// explain the format there, its example lines indented) holds no entry.
public struct MaintainersFile: Sendable {
    public struct Entry: Sendable, Hashable {
        /// `SOUND`, `WATCHDOG DEVICE DRIVERS`.
        public var title: String
        /// Every field in file order: (`F`, `sound/`).
        public var fields: [(type: Character, value: String)]

        public func values(_ type: Character) -> [String] { fields.filter { $0.type == type }.map(\.value) }

        /// The entry's `F:`, `X:` and `N:` lines as one pattern set.
        public var filePatterns: FilePatterns {
            FilePatterns(files: values("F"), excluded: values("X"), regexes: values("N"))
        }

        public static func == (a: Entry, b: Entry) -> Bool {
            a.title == b.title && a.fields.elementsEqual(b.fields) { $0.type == $1.type && $0.value == $1.value }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(title)
            for field in fields {
                hasher.combine(field.type)
                hasher.combine(field.value)
            }
        }
    }

    public let entries: [Entry]

    /// A MAINTAINERS file of today's kernel is about 800 KB; 16 MB leaves room for any
    /// future growth and keeps a wrong file (a disk image) from being read whole.
    public static let maxBytes = 16 << 20

    public init(text: String) {
        var entries: [Entry] = []
        var title: String?
        var fields: [(type: Character, value: String)] = []
        func finish() {
            if let title, !fields.isEmpty { entries.append(Entry(title: title, fields: fields)) }
            title = nil
            fields = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                finish()
            } else if let field = Self.field(line) {
                // A field line without a title above it (prose, a stray line) belongs to nothing.
                if title != nil { fields.append(field) }
            } else if line.first?.isWhitespace == false {
                // A new title line; prose lines before the list replace each other until one
                // is followed by fields.
                finish()
                title = line.trimmingCharacters(in: .whitespaces)
            }
        }
        finish()
        self.entries = entries
    }

    /// Reads and parses the file at `path`.
    public init(path: String) throws(MboxParserError) {
        let url = URL(fileURLWithPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw MboxParserError(.unreadableSource, path: path, reason: "cannot read it (no such file?)") }
        guard size <= Self.maxBytes else {
            throw MboxParserError(.unreadableSource, path: path,
                                  reason: "\(size) bytes is more than a MAINTAINERS file holds (limit \(Self.maxBytes))")
        }
        guard let data = try? Data(contentsOf: url) else {
            throw MboxParserError(.unreadableSource, path: path, reason: "cannot read it")
        }
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    /// `F:<TAB>sound/` -> (`F`, `sound/`): one capital letter, a colon, then the value.
    static func field(_ line: Substring) -> (type: Character, value: String)? {
        guard let type = line.first, type.isASCII, type.isUppercase,
              line.dropFirst().first == ":" else { return nil }
        let value = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : (type, value)
    }

    /// The entry titled `title` (any case). None found: the titles that contain it, to
    /// suggest.
    public func entry(titled title: String) -> Result<Entry, NoSuchEntry> {
        let wanted = title.trimmingCharacters(in: .whitespaces).lowercased()
        if let found = entries.first(where: { $0.title.lowercased() == wanted }) { return .success(found) }
        let near = entries.filter { $0.title.lowercased().contains(wanted) }.map(\.title)
        return .failure(NoSuchEntry(title: title, suggestions: Array(near.prefix(Self.maxSuggestions))))
    }

    /// Titles suggested for a mistyped entry: enough to spot the right one.
    static let maxSuggestions = 8

    public struct NoSuchEntry: Error, Sendable, Equatable {
        public var title: String
        public var suggestions: [String]
    }
}
