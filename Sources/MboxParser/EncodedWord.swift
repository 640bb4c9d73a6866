/// Header text decoding: RFC 2047 encoded-words (`=?charset?B|Q?text?=`, any charset) and
/// raw 8-bit UTF-8. Adjacent encoded-words are joined (the blanks between them dropped)
/// and their bytes converted together, so a character split across two words survives.
/// Anything that is not a well-formed encoded-word stays as written.
enum EncodedWord {
    static func decodeHeaderText(_ bytes: [UInt8], warnings: inout [String]) -> String {
        bytes.withUnsafeBufferPointer { decodeHeaderText($0, warnings: &warnings) }
    }

    static func decodeHeaderText(_ bytes: UnsafeBufferPointer<UInt8>, warnings: inout [String]) -> String {
        guard containsMarker(bytes) else { return Charset.utf8(bytes, warnings: &warnings) }
        var out = ""
        var pending: [UInt8] = []
        var pendingCharset: String?
        var literalStart = 0
        var afterWord = false
        var i = 0

        func flush() {
            if let charset = pendingCharset {
                out += Charset.decode(pending, charset: charset, warnings: &warnings)
            }
            pending.removeAll(keepingCapacity: true)
            pendingCharset = nil
        }

        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "="), bytes[i + 1] == UInt8(ascii: "?"),
                  let word = parseWord(bytes, at: i) else { i += 1; continue }
            let literal = UnsafeBufferPointer(rebasing: bytes[literalStart..<i])
            let onlyBlanks = literal.allSatisfy { $0 == 0x20 || $0 == 0x09 }
            if !(afterWord && onlyBlanks) {
                flush()
                out += Charset.utf8(literal, warnings: &warnings)
            }
            if let current = pendingCharset, current != word.charset { flush() }
            pendingCharset = word.charset
            pending += word.bytes
            afterWord = true
            i = word.end
            literalStart = word.end
        }
        flush()
        out += Charset.utf8(UnsafeBufferPointer(rebasing: bytes[literalStart...]), warnings: &warnings)
        return out
    }

    private static func containsMarker(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        for i in 0..<(bytes.count - 1) where bytes[i] == UInt8(ascii: "=") && bytes[i + 1] == UInt8(ascii: "?") {
            return true
        }
        return false
    }

    struct Word { var charset: String; var bytes: [UInt8]; var end: Int }

    /// `=?charset?E?text?=` at `start`: the charset and encoding hold no blanks or `?`, the
    /// text holds no blanks (RFC 2047 section 5).
    static func parseWord(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> Word? {
        var i = start + 2
        let charsetStart = i
        while i < b.count, b[i] != UInt8(ascii: "?"), b[i] > 0x20, b[i] < 0x7F { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "?"), i > charsetStart, i + 2 < b.count,
              b[i + 2] == UInt8(ascii: "?") else { return nil }
        let charset = Charset.normalized(String(decoding: UnsafeBufferPointer(rebasing: b[charsetStart..<i]), as: UTF8.self))
        let encoding = b[i + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = i + 3
        var j = textStart
        while j + 1 < b.count, !(b[j] == UInt8(ascii: "?") && b[j + 1] == UInt8(ascii: "=")) {
            if b[j] == 0x20 || b[j] == 0x09 { return nil }
            j += 1
        }
        guard j + 1 < b.count else { return nil }
        let text = UnsafeBufferPointer(rebasing: b[textStart..<j])
        let bytes = encoding == UInt8(ascii: "b") ? TransferEncoding.base64(text) : qDecoded(text)
        return Word(charset: charset, bytes: bytes, end: j + 2)
    }

    /// The Q encoding: like quoted-printable, plus `_` for a space.
    private static func qDecoded(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "_") {
                out.append(0x20)
            } else if c == UInt8(ascii: "="), i + 2 < text.count,
                      let hi = TransferEncoding.hexValue(text[i + 1]), let lo = TransferEncoding.hexValue(text[i + 2]) {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }
}
