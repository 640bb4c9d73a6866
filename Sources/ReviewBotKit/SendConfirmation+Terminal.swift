import Foundation

extension SendConfirmation {
    /// Body lines shown before the question: enough to recognise the reply.
    public static let previewLines = 12

    /// How `reviewbot send` confirms: `--yes`, or a question per draft on the terminal.
    /// Without `--yes` and with no terminal on standard input nobody can answer, so it
    /// refuses rather than send unasked.
    public static func terminal(assumeYes: Bool, standardInputIsTerminal: Bool,
                                readLine: @escaping @Sendable () -> String?,
                                write: @escaping @Sendable (String) -> Void) throws -> SendConfirmation {
        if assumeYes { return .assumeYes }
        guard standardInputIsTerminal else {
            throw ReviewBotError("refusing to send: standard input is not a terminal, so no one can confirm each draft; run reviewbot send from a terminal, or pass --yes after reading the drafts")
        }
        return .ask { draft in
            write(prompt(for: draft))
            while true {
                // End of input is nobody saying yes.
                guard let answer = readLine() else { write("\n"); return .quit }
                if let decision = decision(for: answer) { return decision }
                write("please answer y (send), n (skip this one) or q (send nothing more): ")
            }
        }
    }

    /// The headers and first body lines of `draft`, then the question.
    public static func prompt(for draft: OutgoingDraft) -> String {
        var lines = ["", "--- \(draft.file) ---"]
        for name in ["From", "To", "Cc", "Bcc", "Subject"] {
            for field in draft.headers where field.name.lowercased() == name.lowercased() {
                lines.append("\(name): \(field.value)")
            }
        }
        lines.append("")
        let body = draft.bodyPreview(lines: previewLines + 1)
        lines += body.prefix(previewLines)
        if body.count > previewLines { lines.append("[...]") }
        lines.append("")
        return lines.joined(separator: "\n") + "\nSend \(draft.file) to \(draft.recipients.count) recipient\(draft.recipients.count == 1 ? "" : "s")? [y/n/q] "
    }

    /// `y`/`yes`, `n`/`no`, `q`/`quit`, any case; nil for anything else.
    public static func decision(for answer: String) -> SendDecision? {
        switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
        case "y", "yes": .send
        case "n", "no": .skip
        case "q", "quit": .quit
        default: nil
        }
    }
}
