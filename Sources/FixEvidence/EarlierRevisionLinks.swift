import Foundation

/// Links to earlier postings of a series, as authors and b4 write them in a cover letter
/// or below a patch's `---`: `- Link to v1: https://lore.kernel.org/r/<id>`,
/// `v2: https://lore.kernel.org/all/<id>/`, `[v1] https://patch.msgid.link/<id>`.
public struct EarlierRevisionLink: Sendable, Hashable {
    public var revision: Int
    public var url: String
}

extension EarlierRevisionLink {
    /// Links to lore or patch.msgid.link on lines that name a revision below `revision`,
    /// in order, one per revision (the first wins).
    public static func all(in text: String, before revision: Int) -> [EarlierRevisionLink] {
        var found: [EarlierRevisionLink] = []
        for line in text.split(separator: "\n").prefix(FixEvidenceLimits.linkSearchLines) {
            guard let url = link(in: line), let named = revisionNamed(in: line), named < revision,
                  !found.contains(where: { $0.revision == named }) else { continue }
            found.append(EarlierRevisionLink(revision: named, url: url))
        }
        return found
    }

    static func link(in line: Substring) -> String? {
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "<" || $0 == ">" }) {
            var trimmed = word
            while let last = trimmed.last, ".,;)]'\"".contains(last) { trimmed = trimmed.dropLast() }
            let candidate = String(trimmed)
            guard candidate.hasPrefix("https://") || candidate.hasPrefix("http://"), candidate.utf8.count <= FixEvidenceLimits.linkBytes else { continue }
            if candidate.contains("lore.kernel.org/") || candidate.contains("patch.msgid.link/")
                || candidate.contains("/r/") {
                return candidate
            }
        }
        return nil
    }

    /// `v1`, `V2`, `v3:` as a word of the line (not inside the link).
    static func revisionNamed(in line: Substring) -> Int? {
        let beforeLink = line.range(of: "http").map { line[..<$0.lowerBound] } ?? line
        for word in beforeLink.split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            guard word.count >= 2, word.first == "v" || word.first == "V",
                  let number = Int(word.dropFirst()), (1...99).contains(number) else { continue }
            return number
        }
        return nil
    }
}

