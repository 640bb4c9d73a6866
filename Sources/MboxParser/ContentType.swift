import Foundation

/// A parsed `Content-Type:` or `Content-Disposition:` value: `type/subtype; name=value; ...`.
struct ContentType: Sendable, Hashable {
    /// Lowercased `type/subtype` (or the disposition type).
    var value: String
    /// Parameter names lowercased; RFC 2231 continuations and charsets already joined.
    var parameters: [String: String]

    static let textPlain = ContentType(value: "text/plain", parameters: [:])

    var isMultipart: Bool { value.hasPrefix("multipart/") }
    var isText: Bool { value.hasPrefix("text/") }

    /// Parses leniently: real mail has stray semicolons, unquoted spaces and duplicated
    /// parameters; the first occurrence of a parameter wins.
    init(parsing text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        func skipBlanksAndComments() {
            while let c = scalars.first {
                if c == " " || c == "\t" || c == "\r" || c == "\n" { scalars.removeFirst(); continue }
                if c == "(" {
                    // RFC 5322 comments may nest; count depth instead of recursing.
                    var depth = 0
                    while let d = scalars.first {
                        scalars.removeFirst()
                        if d == "\\" { if !scalars.isEmpty { scalars.removeFirst() }; continue }
                        if d == "(" { depth += 1 } else if d == ")" { depth -= 1; if depth == 0 { break } }
                    }
                    continue
                }
                break
            }
        }
        func token() -> String {
            var out = String.UnicodeScalarView()
            while let c = scalars.first, c != ";", c != "=", c != " ", c != "\t", c != "\"", c != "(" {
                out.append(c)
                scalars.removeFirst()
            }
            return String(out)
        }
        func quoted() -> String {
            scalars.removeFirst()
            var out = String.UnicodeScalarView()
            while let c = scalars.first {
                scalars.removeFirst()
                if c == "\\", let escaped = scalars.first { out.append(escaped); scalars.removeFirst(); continue }
                if c == "\"" { break }
                out.append(c)
            }
            return String(out)
        }
        skipBlanksAndComments()
        var head = token()
        // Tolerate `text / plain`.
        skipBlanksAndComments()
        while let c = scalars.first, c != ";" { head.append(Character(c)); scalars.removeFirst(); head += token() }
        value = head.lowercased().filter { $0 != " " && $0 != "\t" }
        var raw: [(String, String)] = []
        while !scalars.isEmpty {
            if scalars.first == ";" { scalars.removeFirst() }
            skipBlanksAndComments()
            let name = token().lowercased()
            skipBlanksAndComments()
            guard scalars.first == "=" else {
                while let c = scalars.first, c != ";" { scalars.removeFirst(); _ = c }
                continue
            }
            scalars.removeFirst()
            skipBlanksAndComments()
            var parameterValue: String
            if scalars.first == "\"" {
                parameterValue = quoted()
            } else {
                var out = String.UnicodeScalarView()
                while let c = scalars.first, c != ";" { out.append(c); scalars.removeFirst() }
                parameterValue = String(out).trimmedWhitespace()
            }
            if !name.isEmpty { raw.append((name, parameterValue)) }
        }
        parameters = Self.joinRFC2231(raw)
    }

    init(value: String, parameters: [String: String]) {
        self.value = value
        self.parameters = parameters
    }

    /// RFC 2231: `name*=charset'lang'%XX...` and `name*0=...; name*1=...` continuations.
    private static func joinRFC2231(_ raw: [(String, String)]) -> [String: String] {
        var result: [String: String] = [:]
        var pieces: [String: [(Int, String, Bool)]] = [:]
        for (name, value) in raw {
            guard let star = name.firstIndex(of: "*") else {
                if result[name] == nil { result[name] = value }
                continue
            }
            let base = String(name[..<star])
            let rest = name[name.index(after: star)...]
            let encoded = rest.hasSuffix("*") || rest.isEmpty
            let index = Int(rest.trimmingCharacters(in: CharacterSet(charactersIn: "*"))) ?? 0
            pieces[base, default: []].append((index, value, encoded))
        }
        for (base, parts) in pieces {
            var bytes: [UInt8] = []
            var charset: String?
            for (index, value, encoded) in parts.sorted(by: { $0.0 < $1.0 }) {
                var text = Substring(value)
                if encoded {
                    if index == 0 {
                        let fields = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                        if fields.count == 3 { charset = String(fields[0]); text = fields[2] }
                    }
                    bytes += Self.percentDecoded(text)
                } else {
                    bytes += Array(text.utf8)
                }
            }
            var ignored: [String] = []
            result[base] = Charset.decode(bytes, charset: charset, warnings: &ignored)
        }
        return result
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let hi = TransferEncoding.hexValue(utf8[i + 1]), let lo = TransferEncoding.hexValue(utf8[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return out
    }
}
