import Foundation

/// Undoing Content-Transfer-Encoding, tolerant the way git mailinfo is: a bad escape stays
/// as written, garbage inside base64 is skipped.
enum TransferEncoding {
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// Decodes a body by its Content-Transfer-Encoding. Line breaks of the transport (CRLF)
    /// become LF first, as git mailsplit does; CRs that were encoded (`=0D`, or inside
    /// base64) are content and stay.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, encoding: String) -> [UInt8] {
        switch encoding {
        case "quoted-printable":
            return quotedPrintable(bytes)
        case "base64":
            return base64(bytes)
        default:
            return transportLineBreaksToLF(bytes)
        }
    }

    /// CRLF to LF; a lone CR is kept.
    static func transportLineBreaksToLF(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let base = bytes.baseAddress, memchr(base, 0x0D, bytes.count) != nil else { return Array(bytes) }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1; continue }
            out.append(c)
            i += 1
        }
        return out
    }

    /// RFC 2045 section 6.7: `=XX` is a byte, `=` at the end of a line (trailing blanks
    /// allowed) is a soft line break; any other `=` is kept literally.
    static func quotedPrintable(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A { i += 1; continue }
            guard c == UInt8(ascii: "=") else { out.append(c); i += 1; continue }
            if i + 2 < n, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            var j = i + 1
            while j < n && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
            if j < n && bytes[j] == 0x0D && j + 1 < n && bytes[j + 1] == 0x0A { i = j + 2; continue }
            if j < n && bytes[j] == 0x0A { i = j + 1; continue }
            if j == n { i = n; continue }
            out.append(c)
            i += 1
        }
        return out
    }

    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        return table
    }()

    /// Skips anything outside the alphabet (line breaks, blanks, garbage); stops at padding.
    static func base64(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        base64Values.withUnsafeBufferPointer { table in
            for c in bytes {
                if c == UInt8(ascii: "=") {
                    // Padding ends a quantum; a sender that concatenated encoded blocks
                    // starts a new one after it.
                    accumulator = 0
                    bits = 0
                    continue
                }
                let v = table[Int(c)]
                if v == 0xFF { continue }
                accumulator = accumulator << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                    accumulator &= (1 << UInt32(bits)) - 1
                }
            }
        }
        return out
    }
}
