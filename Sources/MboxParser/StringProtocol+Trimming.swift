/// Trimming without Foundation: `trimmingCharacters(in:)` bridges through NSString on
/// Linux, and the mail layer trims several values of every message it reads.
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what `.whitespaces` trims).
    func trimmedWhitespace() -> String { trimmed { $0.isWhitespace && !$0.isNewline } }

    /// Without leading and trailing white space, line ends included.
    func trimmedWhitespaceAndNewlines() -> String { trimmed { $0.isWhitespace } }

    /// Without leading and trailing line ends.
    func trimmedNewlines() -> String { trimmed { $0.isNewline } }

    private func trimmed(_ drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
