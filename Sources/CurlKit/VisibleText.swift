/// Text from a stranger (a server's reply, a command's stderr) made safe to put in a
/// one-line message on a terminal: control characters and escape sequences are shown as
/// `\x1b`, `\n`, ... instead of acting on the terminal or breaking the line.
public enum VisibleText {
    public static func make(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F:
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            case 0x80..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                // C1 controls (0x9b is a CSI on some terminals), line separators and
                // bidirectional overrides that reorder what the user reads.
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
