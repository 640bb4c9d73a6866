import Foundation
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// Converting text in a declared charset to a Swift String. Never fails: an unknown
/// charset or bytes invalid in it fall back to UTF-8 with replacement characters, and the
/// reason is added to `warnings`.
enum Charset {
    static func decode(_ bytes: [UInt8], charset name: String?, warnings: inout [String]) -> String {
        bytes.withUnsafeBufferPointer { decode($0, charset: name, warnings: &warnings) }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, charset name: String?, warnings: inout [String]) -> String {
        let charset = normalized(name)
        switch charset {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "unknown-8bit", "x-unknown":
            // US-ASCII mail with 8-bit bytes is nearly always UTF-8 sent by a mailer that did
            // not say so; reading it as UTF-8 loses nothing when it is.
            return utf8(bytes, warnings: &warnings)
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
            return latin1(bytes)
        default:
            break
        }
        guard let encoding = foundationEncoding(charset) else {
            warnings.append("unknown charset \"\(charset)\", read as utf-8")
            return utf8(bytes, warnings: &warnings)
        }
        // Most charsets agree with ASCII on 7-bit bytes; ISO-2022, UTF-7 and UTF-16/32 do not.
        let asciiCompatible = !["iso-2022", "utf-7", "utf-16", "utf-32", "ucs", "hz"].contains { charset.hasPrefix($0) }
        if asciiCompatible && isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(bytes: bytes, encoding: encoding) { return text }
        warnings.append("bytes invalid in charset \"\(charset)\", read as utf-8")
        return String(decoding: bytes, as: UTF8.self)
    }

    static func utf8(_ bytes: UnsafeBufferPointer<UInt8>, warnings: inout [String]) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        warnings.append("invalid utf-8 bytes replaced")
        return String(decoding: bytes, as: UTF8.self)
    }

    static func latin1(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var seen: UInt8 = 0
        for b in bytes { seen |= b }
        return seen < 0x80
    }

    /// `"UTF-8"` and `utf-8 ` both mean `utf-8`; RFC 2231 language suffixes (`*en`) go.
    static func normalized(_ name: String?) -> String {
        guard var name else { return "" }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'")).lowercased()
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        return name
    }

    /// Foundation knows the IANA names through CoreFoundation on every platform.
    static func foundationEncoding(_ charset: String) -> String.Encoding? {
        #if canImport(Darwin)
        let cfName = charset as CFString
        #else
        let cfName = unsafeBitCast(NSString(string: charset), to: CFString.self)
        #endif
        let cf = CFStringConvertIANACharSetNameToEncoding(cfName)
        guard cf != kCFStringEncodingInvalidId else { return nil }
        return String.Encoding(rawValue: UInt(CFStringConvertEncodingToNSStringEncoding(cf)))
    }
}
