/// Text from strangers (mail, model answers, server replies) as it may be shown on a
/// terminal. An escape sequence in a subject can move the cursor, erase the line above (the
/// `Bcc:` of a confirmation screen) or retitle the window; a bidi override can make
/// `evil.example` read as something else. Every such character is shown instead of obeyed.
public enum TerminalText {
    /// `text` with every character that is not plainly visible written out: C0 controls and
    /// DEL in caret notation as `cat -v` does (`^[` for ESC, `^M` for CR, `^J` for LF),
    /// C1 controls, format characters (bidi embeddings, overrides and isolates, zero-width
    /// characters, the byte-order mark, tag characters) and the line and paragraph
    /// separators as `<U+202E>`. TAB is kept: it moves the cursor only forward and quoted
    /// diffs are full of it. Everything else is left as it is.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar.value {
            case 0..<0x20: out += "^" + String(Unicode.Scalar(UInt8(scalar.value + 0x40)))
            case 0x7F: out += "^?"
            default: out += "<U+" + hex(scalar.value) + ">"
            }
        }
        return out
    }

    /// `visible`, line by line: the line breaks of multi-line text (a body preview, a
    /// report) stay line breaks, a lone CR does not.
    public static func visibleLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { visible(String($0)) }
            .joined(separator: "\n")
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
