/// Wraps prose for a mailing list: paragraphs re-flowed to `width` columns, while lines
/// that look like code (indented) or quotes are kept as they are.
public enum TextWrapping {
    public static let mailWidth = 78

    public static func wrap(_ text: String, width: Int = mailWidth) -> String {
        var out: [String] = []
        var paragraph: [Substring] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            var line = ""
            for word in paragraph.joined(separator: " ").split(separator: " ", omittingEmptySubsequences: true) {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    out.append(line)
                    line = String(word)
                }
            }
            if !line.isEmpty { out.append(line) }
            paragraph = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                flush()
                out.append("")
            } else if line.first == " " || line.first == "\t" || line.first == ">" {
                flush()
                out.append(String(line))
            } else {
                paragraph.append(line)
            }
        }
        flush()
        while out.last == "" { out.removeLast() }
        while out.first == "" { out.removeFirst() }
        return out.joined(separator: "\n")
    }
}
