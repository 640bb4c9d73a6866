import Crypto
import Foundation

/// Fences around material under review (mail text, diffs, code from the tree, tool
/// results) so that nothing inside can pass for our instructions. The fence's id comes
/// from a hash of the material itself, so the same material gets the same fence on every
/// run (the response cache and the prompt cache see the same bytes), and an author cannot
/// write the closing line in advance: it would have to contain the hash of the text it is
/// part of. The id is also checked not to occur in the material.
public enum MaterialFence {
    /// What opens and closes a fence; the system prompt explains it with the same words
    /// (`templates/data-fences.md` is rendered with these).
    public static let openWord = "BEGIN DATA"
    public static let closeWord = "END DATA"

    /// Hex digits of the id: 64 bits make a collision with text the author wrote beforehand
    /// as unlikely as guessing a random key.
    static let idLength = 16

    /// The id for `material`: the first hex digits of SHA-256 over it (with a counter
    /// appended in the impossible-looking case that the id occurs in the text).
    public static func id(for material: String) -> String {
        var round = 0
        while true {
            let seed = round == 0 ? material : material + "\u{0}\(round)"
            let id = String(SHA256.hex(of: Data(seed.utf8)).prefix(idLength))
            if !material.contains(id) { return id }
            round += 1
        }
    }

    /// `material` between an opening line that names what it is and a closing line, both
    /// carrying the id. `label` is our text (never material).
    public static func wrap(_ material: String, label: String) -> String {
        let id = id(for: material)
        let body = material.hasSuffix("\n") ? material : material + "\n"
        return "\(openLine(id: id)) \(label)\n\(body)\(closeLine(id: id))"
    }

    public static func openLine(id: String) -> String { "<<<\(openWord) \(id)>>>" }
    public static func closeLine(id: String) -> String { "<<<\(closeWord) \(id)>>>" }
}
