import Foundation

/// Text from a stranger (a commit message, a repository's history, the dashboard, a
/// reviewer's name) made fit for one line of a review comment or report.md: control
/// characters, and the format characters that hide or reorder text (bidi overrides,
/// zero-width joiners), are dropped, line breaks and tabs become spaces, and the length is
/// bounded at a character boundary.
public enum UntrustedText {
    public static func oneLine(_ text: String, limit: Int = FixEvidenceLimits.reportTextBytes) -> String {
        var out = String.UnicodeScalarView()
        var bytes = 0
        var cut = false
        for scalar in text.unicodeScalars {
            let kept: Unicode.Scalar
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: kept = " "
            case 0..<0x20, 0x7F..<0xA0: continue
            default:
                if scalar.properties.generalCategory == .format { continue }
                kept = scalar
            }
            let size = UTF8.width(kept)
            guard bytes + size <= limit else { cut = true; break }
            out.append(kept)
            bytes += size
        }
        let clean = String(out).trimmingCharacters(in: .whitespaces)
        return cut ? clean + "..." : clean
    }
}
