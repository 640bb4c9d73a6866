extension MailAddress {
    /// Parses an RFC 5322 address list (an unfolded, not yet decoded header value): display
    /// names quoted or not, comments (nested), groups (`undisclosed-recipients:;`), route
    /// addresses, and the old `user@host (Real Name)` form. Display names have their
    /// encoded-words decoded; entries without anything usable are skipped.
    public static func parseList(_ value: String) -> [MailAddress] {
        let scalars = Array(value.unicodeScalars)
        var result: [MailAddress] = []
        var words: [String] = []
        var angle: String?
        var comment: String?
        var atom = String.UnicodeScalarView()
        var i = 0

        func endAtom() {
            if !atom.isEmpty { words.append(String(atom)); atom = String.UnicodeScalarView() }
        }
        func finish() {
            endAtom()
            defer { words = []; angle = nil; comment = nil }
            var email = ""
            var nameWords = words
            if let angle {
                email = angle
            } else if let at = words.lastIndex(where: { $0.contains("@") }) {
                email = words[at]
                nameWords.remove(at: at)
            } else if words.count == 1 {
                email = words[0]
                nameWords = []
            }
            var name = decodePhrase(nameWords.joined(separator: " "))
            if name.isEmpty, let comment { name = decodePhrase(comment) }
            email = email.trimmedWhitespace()
            if email.isEmpty && name.isEmpty { return }
            result.append(MailAddress(name: name, email: email))
        }

        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "\"":
                endAtom()
                var text = String.UnicodeScalarView()
                i += 1
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\", i + 1 < scalars.count { i += 1 }
                    text.append(scalars[i])
                    i += 1
                }
                words.append(String(text))
            case "(":
                endAtom()
                var depth = 0
                var text = String.UnicodeScalarView()
                while i < scalars.count {
                    let d = scalars[i]
                    if d == "\\", i + 1 < scalars.count { i += 1; text.append(scalars[i]); i += 1; continue }
                    if d == "(" { depth += 1; if depth == 1 { i += 1; continue } }
                    if d == ")" { depth -= 1; if depth == 0 { break } }
                    text.append(d)
                    i += 1
                }
                let trimmed = String(text).trimmedWhitespace()
                if !trimmed.isEmpty { comment = trimmed }
            case "<":
                endAtom()
                var text = String.UnicodeScalarView()
                i += 1
                while i < scalars.count, scalars[i] != ">" { text.append(scalars[i]); i += 1 }
                var spec = String(text).trimmedWhitespace()
                // Obsolete route `<@relay1,@relay2:user@host>`.
                if spec.hasPrefix("@"), let colon = spec.firstIndex(of: ":") {
                    spec = String(spec[spec.index(after: colon)...])
                }
                angle = spec
            case ",", ";":
                finish()
            case ":" where angle == nil:
                // A group name; its members follow.
                endAtom()
                words = []
                comment = nil
            case " ", "\t", "\r", "\n":
                endAtom()
            default:
                atom.append(c)
            }
            i += 1
        }
        finish()
        return result
    }

    private static func decodePhrase(_ text: String) -> String {
        var ignored: [String] = []
        return EncodedWord.decodeHeaderText(Array(text.utf8), warnings: &ignored)
            .trimmedWhitespace()
    }
}
