import Foundation

/// The block between the two `---` lines at the top of a prompt file, parsed as a small
/// YAML subset: `key: scalar`, `key: [a, b]`, and `key:` followed by indented `- item`
/// lines. An item may go on with more `key: value` lines lined up under its own key (a
/// small map, as YAML writes it), which is how a `context:` trigger carries its `change:`.
/// Scalars may be plain, 'single-quoted' (`''` is a quote) or "double-quoted"
/// (only `\\`, `\"`, `\n`, `\t`). Deeper nesting, anchors and multi-line scalars are not
/// supported and are reported as errors rather than guessed at.
struct FrontMatter: Sendable {
    struct Item: Sendable, Hashable {
        var text: String
        var line: Int
        /// The `key: value` lines under the item's first line, in file order.
        var more: [Item] = []
    }

    enum Value: Sendable, Hashable {
        case scalar(String)
        case list([Item])
    }

    struct Entry: Sendable, Hashable {
        var key: String
        var value: Value
        var line: Int
    }

    var entries: [Entry]
    /// The Markdown after the closing `---`.
    var body: String
    /// 1-based line number of the first body line in the file.
    var bodyStartLine: Int

    subscript(key: String) -> Entry? { entries.first { $0.key == key } }

    /// Splits `text` into front matter and body; `file` names the file in errors.
    static func parse(_ text: String, file: String) throws -> FrontMatter {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard lines.first == "---" else {
            throw PromptLibraryError.frontMatter(
                file: file, line: 1, problem: "missing front matter: the file must start with a '---' line")
        }
        guard let close = lines.indices.dropFirst().first(where: { lines[$0] == "---" }) else {
            throw PromptLibraryError.frontMatter(
                file: file, line: 1, problem: "front matter is never closed: add a '---' line after it")
        }

        var entries: [Entry] = []
        var openList: Int?  // index into entries of a `key:` still collecting `- item` lines
        var itemKeyColumn: Int?  // where the text of the open list's last item starts
        for index in 1..<close {
            let raw = lines[index]
            let lineNumber = index + 1
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            func fail(_ problem: String) -> PromptLibraryError {
                .frontMatter(file: file, line: lineNumber, problem: problem)
            }
            if raw.first == "\t" || raw.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw fail("tabs are not allowed for indentation; use spaces")
            }
            if raw.first == " " || raw.first == "-" {
                let indent = raw.prefix(while: { $0 == " " }).count
                guard trimmed == "-" || trimmed.hasPrefix("- ") else {
                    guard let open = openList, let column = itemKeyColumn,
                          case .list(var items) = entries[open].value, !items.isEmpty else {
                        throw fail("nested keys are not supported; use a list of '- item' lines")
                    }
                    guard indent == column else {
                        throw fail("'\(trimmed)' must line up with the key of the list item above it "
                            + "(indent it by \(column) spaces)")
                    }
                    guard startsWithKey(items[items.count - 1].text), startsWithKey(trimmed) else {
                        throw fail("only a 'key: value' list item can go on with 'key: value' lines")
                    }
                    items[items.count - 1].more.append(Item(text: try scalar(trimmed, fail: fail), line: lineNumber))
                    entries[open].value = .list(items)
                    continue
                }
                guard let open = openList, case .list(var items) = entries[open].value else {
                    throw fail("list item without a 'key:' line above it")
                }
                let afterDash = trimmed.dropFirst()
                let itemText = afterDash.trimmingCharacters(in: .whitespaces)
                guard !itemText.isEmpty else { throw fail("empty list item") }
                items.append(Item(text: try scalar(itemText, fail: fail), line: lineNumber))
                entries[open].value = .list(items)
                itemKeyColumn = indent + 1 + afterDash.prefix(while: { $0 == " " }).count
                continue
            }
            guard let colon = raw.firstIndex(of: ":") else {
                throw fail("expected 'key: value', found '\(raw)'")
            }
            let key = String(raw[..<colon])
            guard key.range(of: #"^[A-Za-z_][A-Za-z0-9_-]*$"#, options: .regularExpression) != nil else {
                throw fail("'\(key)' is not a valid key")
            }
            guard !entries.contains(where: { $0.key == key }) else {
                throw fail("key '\(key)' appears twice")
            }
            let rest = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            openList = nil
            itemKeyColumn = nil
            if rest.isEmpty {
                entries.append(Entry(key: key, value: .list([]), line: lineNumber))
                openList = entries.count - 1
            } else if rest.hasPrefix("[") {
                let items = try inlineList(rest, fail: fail).map { Item(text: $0, line: lineNumber) }
                entries.append(Entry(key: key, value: .list(items), line: lineNumber))
            } else {
                entries.append(Entry(key: key, value: .scalar(try scalar(rest, fail: fail)), line: lineNumber))
            }
        }
        let body = lines[(close + 1)...].joined(separator: "\n")
        return FrontMatter(entries: entries, body: body, bodyStartLine: close + 2)
    }

    /// Whether `text` reads `key: value` (or `key:`), as a list item that is a small map does.
    private static func startsWithKey(_ text: String) -> Bool {
        text.range(of: #"^[A-Za-z_][A-Za-z0-9_-]*:( |$)"#, options: .regularExpression) != nil
    }

    /// A plain, single-quoted or double-quoted scalar; also used for the value part of
    /// `kind: value` list items such as triggers.
    static func scalar(_ text: String, fail: (String) -> PromptLibraryError) throws -> String {
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'") else { throw fail("unterminated single quote in \(text)") }
            let inner = text.dropFirst().dropLast()
            guard !inner.replacingOccurrences(of: "''", with: "").contains("'") else {
                throw fail("a quote inside a single-quoted value must be doubled ('')")
            }
            return inner.replacingOccurrences(of: "''", with: "'")
        }
        if text.hasPrefix("\"") {
            var result = ""
            var iterator = text.dropFirst().makeIterator()
            while let character = iterator.next() {
                switch character {
                case "\"":
                    guard iterator.next() == nil else { throw fail("text after the closing quote in \(text)") }
                    return result
                case "\\":
                    switch iterator.next() {
                    case "\\"?: result.append("\\")
                    case "\""?: result.append("\"")
                    case "n"?: result.append("\n")
                    case "t"?: result.append("\t")
                    case let other:
                        throw fail("unsupported escape '\\\(other.map(String.init) ?? "")' in double quotes; "
                            + "use single quotes for regexes")
                    }
                default:
                    result.append(character)
                }
            }
            throw fail("unterminated double quote in \(text)")
        }
        return text
    }

    /// `[a, 'b, c', d]`; commas inside quotes or inside `[...]` (glob classes) do not split.
    private static func inlineList(_ text: String, fail: (String) -> PromptLibraryError) throws -> [String] {
        guard text.hasSuffix("]"), text.count >= 2 else { throw fail("inline list is not closed with ']'") }
        let inner = text.dropFirst().dropLast()
        if inner.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        var items: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        var depth = 0
        for character in inner {
            if let open = quote {
                if escaped {
                    escaped = false
                } else if open == "\"", character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "[" {
                depth += 1
            } else if character == "]" {
                depth -= 1
            } else if character == ",", depth == 0 {
                items.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        guard quote == nil else { throw fail("unterminated quote in inline list") }
        items.append(current)
        return try items.map { item in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw fail("empty item in inline list") }
            return try scalar(trimmed, fail: fail)
        }
    }
}
