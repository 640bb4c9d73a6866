import CurlKit
import Foundation
import MboxParser

extension SendConfirmation {
    /// Body lines shown in full before the question. A reply quotes only what its comments
    /// need, so it is far shorter; past this, quoted lines are counted instead of shown,
    /// and every comment is still shown.
    public static let maxPreviewLines = 2_000

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
        return .ask { question in
            write(prompt(for: question))
            while true {
                // End of input is nobody saying yes.
                guard let answer = readLine() else { write("\n"); return .quit }
                if let decision = decision(for: answer) { return decision }
                write("please answer y (send), n (skip this one) or q (send nothing more): ")
            }
        }
    }

    /// The draft as it will go out, then the question. Every piece of text from the
    /// draft passes through `TerminalText.visible`, so an escape sequence in a subject
    /// cannot erase or rewrite a line of this screen; the envelope is listed in full, one
    /// recipient per line and counted, so no recipient can hide in a long header.
    public static func prompt(for question: SendQuestion) -> String {
        let draft = question.draft
        var lines = ["", "--- \(TerminalText.visible(draft.file)) ---"]
        let decoded = try? MailMessage(raw: [UInt8](draft.original), location: MessageLocation(file: draft.file, number: 1))
        for name in ["From", "To", "Cc", "Bcc", "Subject"] {
            let values = decoded?.headers(name) ?? draft.headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
            for value in values { lines.append("\(name): \(TerminalText.visible(value))") }
        }
        lines.append("Date: (set when it is sent)")
        lines.append("")
        lines += preview(draft.bodyLines).map(TerminalText.visible)
        lines.append("")
        let count = draft.recipients.count
        lines.append("Envelope: from \(draft.sender) to \(count) recipient\(count == 1 ? "" : "s"):")
        var listed = Set<String>()
        for (header, addresses) in [("To", draft.to), ("Cc", draft.cc), ("Bcc", draft.bcc)] {
            for address in addresses where listed.insert(address.lowercased()).inserted {
                lines.append("  \(header): \(TerminalText.visible(address))")
            }
        }
        for warning in question.warnings { lines.append("warning: \(TerminalText.visible(warning))") }
        lines.append("")
        return lines.joined(separator: "\n")
            + "\nSend \(TerminalText.visible(draft.file)) to \(count) recipient\(count == 1 ? "" : "s")? [y/n/q] "
    }

    /// The body for the screen: all of it up to `maxPreviewLines`; past that, the comments
    /// (unquoted lines) only, with the quoted lines between them counted.
    static func preview(_ body: [String]) -> [String] {
        guard body.count > maxPreviewLines else { return body }
        var out = Array(body.prefix(maxPreviewLines))
        var skipped = 0
        for line in body.dropFirst(maxPreviewLines) {
            if line.hasPrefix(">") { skipped += 1; continue }
            if skipped > 0 { out.append("[... \(skipped) quoted line\(skipped == 1 ? "" : "s") not shown ...]"); skipped = 0 }
            out.append(line)
        }
        if skipped > 0 { out.append("[... \(skipped) quoted line\(skipped == 1 ? "" : "s") not shown ...]") }
        return out
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
