import Foundation

/// Removes our secrets (the API key, the IMAP and SMTP passwords) from text a server sent
/// back, before that text is kept anywhere: a file, the report, the response cache, an
/// error message. A server, a proxy or a gateway may echo request headers or credentials
/// in any answer, on any status. The one place raw answers are cleaned.
public struct SecretRedactor: Sendable, Hashable {
    /// What a secret is replaced with.
    public static let placeholder = "<redacted>"

    /// Every form a secret is looked for in, longest first so a longer form is replaced
    /// whole before a shorter one inside it.
    private let forms: [String]

    /// Empty secrets are ignored.
    public init(_ secrets: [String]) {
        var forms = Set<String>()
        for secret in secrets where !secret.isEmpty {
            forms.insert(secret)
            forms.insert(Self.jsonEscaped(secret))
            if let percent = secret.addingPercentEncoding(withAllowedCharacters: Self.unreserved) { forms.insert(percent) }
            forms.insert(Data(secret.utf8).base64EncodedString())
        }
        self.forms = forms.sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 }
    }

    /// RFC 3986 unreserved characters: what a URL or form encoder leaves as it is.
    static let unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(0x7f)))
        .union(CharacterSet(charactersIn: "-._~"))

    /// Nothing to redact.
    public static let none = SecretRedactor([])

    public var isEmpty: Bool { forms.isEmpty }

    /// `text` with every form of every secret replaced.
    public func redact(_ text: String) -> String {
        var out = text
        for form in forms where out.contains(form) {
            out = out.replacingOccurrences(of: form, with: Self.placeholder)
        }
        return out
    }

    /// `data` with every form of every secret replaced, byte for byte elsewhere (an answer
    /// need not be UTF-8).
    public func redact(_ data: Data) -> Data {
        guard !forms.isEmpty else { return data }
        var out = data
        let placeholder = Data(Self.placeholder.utf8)
        for form in forms {
            let needle = Data(form.utf8)
            guard out.range(of: needle) != nil else { continue }
            var result = Data(capacity: out.count)
            var cursor = out.startIndex
            while let found = out.range(of: needle, in: cursor..<out.endIndex) {
                result.append(out[cursor..<found.lowerBound])
                result.append(placeholder)
                cursor = found.upperBound
            }
            result.append(out[cursor..<out.endIndex])
            out = result
        }
        return out
    }

    /// Every value of `headers` redacted.
    public func redact(_ headers: HTTPHeaders) -> HTTPHeaders {
        guard !forms.isEmpty else { return headers }
        return HTTPHeaders(headers.map { ($0.name, redact($0.value)) })
    }

    /// The secret as it appears inside a JSON string (`"` and `\` escaped, `/` too as
    /// some encoders write it).
    static func jsonEscaped(_ secret: String) -> String {
        var out = ""
        for scalar in secret.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
