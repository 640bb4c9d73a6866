/// Message-id handling as lore does it.
public enum MessageID {
    /// `<id@host>`, ` id@host ` -> `id@host`.
    public static func bare(_ text: String) -> String {
        var id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if id.hasPrefix("<") { id.removeFirst() }
        if id.hasSuffix(">") { id.removeLast() }
        return id
    }

    /// The id as one path segment, like public-inbox's mid_escape: `/ % ? #`, space and
    /// anything outside printable ASCII are percent-encoded; `@ + = :` stay literal.
    public static func pathEscaped(_ id: String) -> String {
        var out = ""
        for byte in bare(id).utf8 {
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: " "),
                 0..<0x20, 0x7f...0xff:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// Percent-decodes a path segment; a malformed escape is kept as written.
    public static func pathUnescaped(_ segment: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(segment.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
               let value = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
