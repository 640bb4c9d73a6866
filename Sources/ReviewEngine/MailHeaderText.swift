import Foundation
import MboxParser

/// Header text for the mail we write. Everything that reaches a draft's header from the
/// original mail (subject, display names, addresses, message-ids) was decoded from a
/// stranger's bytes: an encoded-word can carry CR, LF or NUL, which written back raw would
/// add headers (`Bcc:`) or end the header block early. These functions turn such text into
/// header bytes that parse back to exactly what we meant: one line of plain text, encoded
/// as RFC 2047 words when it is not plain ASCII, folded below RFC 5322's line limit.
public enum MailHeaderText {
    /// RFC 5322 2.1.1: lines SHOULD stay within 78 characters.
    static let foldWidth = 78
    /// RFC 5322 2.1.1: a line MUST NOT exceed 998 characters.
    static let maxLineBytes = 998
    /// RFC 2047 2: an encoded-word is at most 75 characters.
    static let maxEncodedWord = 75
    /// RFC 5321 4.5.3.1.3: a path is at most 256 octets, angle brackets included.
    public static let maxAddressBytes = 254
    /// No standard bound; lore's ids stay well under 100 octets. 250 keeps an
    /// `In-Reply-To: <id>` line far below RFC 5322's 998-octet limit.
    public static let maxMessageIDBytes = 250
    /// A subject or name longer than this is cut (with an ellipsis): RFC 5322 sets no
    /// limit, but no list shows more, and each piece of it costs a folded line.
    public static let maxTextCharacters = 998

    // MARK: - Plain text

    /// Whether `scalar` must never be written into a header, decoded or not: C0 controls
    /// (TAB included: it is folding whitespace, not text), DEL and the C1 controls.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Decoded header text as one line: every control character (CR, LF, NUL, ESC, ...)
    /// becomes a space, runs of blanks collapse to one, the ends are trimmed, and very
    /// long text is cut at `maxTextCharacters`.
    public static func singleLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isControl(scalar) || scalar == " " || scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(scalar)
        }
        let line = String(out)
        guard line.count > maxTextCharacters else { return line }
        return String(line.prefix(maxTextCharacters - 1)) + "\u{2026}"
    }

    // MARK: - Unstructured fields (Subject)

    /// The value of an unstructured field such as Subject: printable ASCII is written as
    /// it is, folded at spaces; anything else (non-ASCII, a word too long to fold, text
    /// that looks like an encoded-word) as RFC 2047 Q-encoded words. `nameLength` is the
    /// length of `Name: ` before it, for the first line's width.
    public static func unstructured(_ text: String, nameLength: Int) -> String {
        let line = singleLine(text)
        let words = line.split(separator: " ")
        // A word longer than a line may be (998 octets, RFC 5322 2.1.1) cannot be folded.
        let plain = line.unicodeScalars.allSatisfy { $0.isASCII } && !line.contains("=?")
            && words.allSatisfy { $0.utf8.count + nameLength < maxLineBytes }
        guard plain else { return encodedWords(line, firstLineUsed: nameLength) }
        return fold(words.map(String.init), firstLineUsed: nameLength)
    }

    /// Words joined by single spaces, a line break put before a space wherever the next
    /// word would pass `foldWidth` (RFC 5322 3.2.2 folding: unfolding gives the text back).
    static func fold(_ words: [String], firstLineUsed: Int, separator: String = " ") -> String {
        var lines: [String] = []
        var current = ""
        var used = firstLineUsed
        for word in words {
            if current.isEmpty {
                current = word
            } else if used + current.count + separator.count + word.count <= foldWidth {
                current += separator + word
            } else {
                lines.append(current + separator.dropLast())
                current = word
                used = 1  // the continuation line's leading space
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n ")
    }

    /// RFC 2047 Q-encoding of the whole text, split into words of at most 75 characters
    /// at character boundaries (a character's bytes never span two words), one word per
    /// folded line. Only letters, digits and `!*+-/` stay literal, the set RFC 2047 5(3)
    /// allows in a phrase, so the same words are valid in a Subject and a display name.
    static func encodedWords(_ text: String, firstLineUsed: Int = 0) -> String {
        let prefix = "=?UTF-8?Q?", suffix = "?="
        let room = maxEncodedWord - prefix.count - suffix.count
        var words: [String] = []
        var current = ""
        for character in text {
            var piece = ""
            for byte in String(character).utf8 {
                switch byte {
                case 0x20: piece += "_"
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "*"),
                     UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
                    piece.append(Character(Unicode.Scalar(byte)))
                default: piece += String(format: "=%02X", byte)
                }
            }
            // A character longer than a whole word (a long combining sequence) is split
            // at its scalars instead; each scalar's bytes still stay together.
            if piece.count > room {
                if !current.isEmpty { words.append(current); current = "" }
                for scalar in String(character).unicodeScalars {
                    let bytes = String(scalar).utf8.map { String(format: "=%02X", $0) }.joined()
                    if current.count + bytes.count > room { words.append(current); current = "" }
                    current += bytes
                }
                continue
            }
            if current.count + piece.count > room {
                words.append(current)
                current = ""
            }
            current += piece
        }
        if !current.isEmpty || words.isEmpty { words.append(current) }
        return words.map { prefix + $0 + suffix }.joined(separator: "\n ")
    }

    // MARK: - Addresses

    /// RFC 5322 3.2.3 atext: what an unquoted local part may hold besides dots.
    private static let atext = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    /// `local@domain` as the envelope and every mail reader take it: a dot-atom local part
    /// (no quoted local parts, no comments, no spaces) and a dot-atom or bracketed domain,
    /// ASCII only, at most `maxAddressBytes`.
    public static func isAddrSpec(_ address: String) -> Bool {
        guard address.utf8.count <= maxAddressBytes, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at], domain = address[address.index(after: at)...]
        func isDotAtom(_ text: Substring, extra: Set<Unicode.Scalar>) -> Bool {
            guard !text.isEmpty, !text.hasPrefix("."), !text.hasSuffix("."), !text.contains("..") else { return false }
            return text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || extra.contains($0))
            }
        }
        guard isDotAtom(local, extra: atext) else { return false }
        if domain.hasPrefix("["), domain.hasSuffix("]"), domain.count > 2 {
            return domain.dropFirst().dropLast().unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7F && !"[]\\".unicodeScalars.contains($0)
            }
        }
        return isDotAtom(domain, extra: ["-"])
    }

    /// A display name as an RFC 5322 phrase: plain words as they are; a name holding a
    /// special character (`"`, `,`, `<`, `;`, `:`, `.`, ...) as a quoted string; anything
    /// not printable ASCII, or looking like an encoded-word, as encoded-words.
    public static func phrase(_ name: String) -> String {
        let line = singleLine(name)
        if !line.unicodeScalars.allSatisfy({ $0.isASCII }) || line.contains("=?") || line.count > maxEncodedWord {
            return encodedWords(line)
        }
        let specials = Set("()<>[]:;@\\,.\"".unicodeScalars)
        guard line.unicodeScalars.contains(where: { specials.contains($0) }) else { return line }
        return "\"" + line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `Name <local@domain>` (or `<local@domain>` without a name) rebuilt from the parsed
    /// parts, never pasted; nil when the address itself cannot be written safely.
    public static func address(_ address: MailAddress) -> String? {
        guard isAddrSpec(address.email) else { return nil }
        let name = singleLine(address.name)
        return name.isEmpty ? "<\(address.email)>" : "\(phrase(name)) <\(address.email)>"
    }

    // MARK: - Message-IDs

    /// A msg-id's content (without brackets) that can be written between `<` and `>`:
    /// printable ASCII, no blanks or brackets, at most `maxMessageIDBytes`.
    public static func isMessageID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxMessageIDBytes
            && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }
}
