import CurlKit
import Foundation
import LoopbackServers
@testable import ReviewBotKit
import Testing

/// Mail and model text on the terminal: shown, never obeyed.
@Suite struct TerminalTextTests {
    @Test func controlAndFormatCharactersAreMadeVisible() {
        #expect(TerminalText.visible("plain text, tabs\tstay") == "plain text, tabs\tstay")
        #expect(TerminalText.visible("a\u{1B}[2Kb\rc\nd\u{0}e\u{7F}") == "a^[[2Kb^Mc^Jd^@e^?")
        #expect(TerminalText.visible("x\u{9B}31my") == "x<U+009B>31my")  // C1 CSI
        #expect(TerminalText.visible("evil\u{202E}elpmaxe.\u{2066}x\u{2069}") == "evil<U+202E>elpmaxe.<U+2066>x<U+2069>")
        #expect(TerminalText.visible("zero\u{200B}width\u{FEFF}\u{2028}") == "zero<U+200B>width<U+FEFF><U+2028>")
        #expect(TerminalText.visible("caf\u{e9} \u{65E5}\u{672C} \u{1F600}") == "caf\u{e9} \u{65E5}\u{672C} \u{1F600}")
        #expect(TerminalText.visibleLines("a\u{1B}]0;title\u{7}\nb\r") == "a^[]0;title^G\nb^M")
    }

    static let hostile = """
        From: Rev Iewer <rev@example.org>
        To: Sam <sam@example.org>
        Bcc: hidden@evil.example
        Subject: =?UTF-8?Q?Re:_[PATCH]_invoice=E2=80=AEfdp.exe?=
        Message-ID: <reply-1@example.org>
        In-Reply-To: <p1@example.org>

        On Mon, Sam wrote:
        > +\tfoo();\u{1B}]0;owned\u{7}

        Comment one.

        """

    /// Escapes in headers never get this far (`OutgoingDraft` refuses a header that decodes
    /// to a control character); the body and format characters in headers do.
    @Test func theConfirmationScreenShowsEscapesAndListsEveryRecipient() throws {
        let draft = try OutgoingDraft(file: "0001.eml", bytes: Data(Self.hostile.utf8))
        let screen = SendConfirmation.prompt(for: SendQuestion(draft: draft, warnings: ["another reply \u{1B}[2K went out"]))
        #expect(!screen.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0 == "\r" })
        #expect(screen.contains("Subject: Re: [PATCH] invoice<U+202E>fdp.exe\n"))
        #expect(screen.contains("Bcc: hidden@evil.example\n"))
        #expect(screen.contains("> +\tfoo();^[]0;owned^G\n"))
        #expect(screen.contains("Envelope: from rev@example.org to 2 recipients:\n  To: sam@example.org\n  Bcc: hidden@evil.example\n"))
        #expect(screen.contains("warning: another reply ^[[2K went out\n"))
        #expect(screen.hasSuffix("Send 0001.eml to 2 recipients? [y/n/q] "))
    }

    @Test func theConfirmationScreenShowsEveryComment() throws {
        var body = ["On Mon, Sam wrote:"]
        for n in 1...40 { body.append("> +\tline \(n);") }
        body += ["", "The comment being confirmed, after forty quoted lines.", ""]
        let text = "From: r@example.org\nTo: s@example.org\nSubject: Re: x\nMessage-ID: <m@example.org>\n\n"
            + body.joined(separator: "\n") + "\n"
        let draft = try OutgoingDraft(file: "0001.eml", bytes: Data(text.utf8))
        let screen = SendConfirmation.prompt(for: SendQuestion(draft: draft, warnings: []))
        #expect(screen.contains("The comment being confirmed, after forty quoted lines."))
        #expect(screen.contains("> +\tline 40;"))

        // A body past the preview limit still shows every comment; quoted lines are counted.
        let long = (0..<SendConfirmation.maxPreviewLines).map { "> +\tq\($0);" } + ["", "Late comment.", "> +\tmore;", "Last comment."]
        let preview = SendConfirmation.preview(long)
        #expect(preview.suffix(3) == ["Late comment.", "[... 1 quoted line not shown ...]", "Last comment."])
    }

    @Test func theTerminalQuestionInsistsOnAClearAnswer() async throws {
        let draft = try OutgoingDraft(file: "0001.eml", bytes: Data(Self.hostile.utf8))
        let answers = Locked(["maybe", " N "])
        let written = Locked("")
        let confirmation = try SendConfirmation.terminal(
            assumeYes: false, standardInputIsTerminal: true,
            readLine: { answers.withLock { $0.isEmpty ? nil : $0.removeFirst() } },
            write: { text in written.withLock { $0 += text } })
        guard case .ask(let ask) = confirmation else { Issue.record("a terminal must be asked"); return }
        #expect(await ask(SendQuestion(draft: draft, warnings: [])) == .skip)
        #expect(written.withLock { $0 }.contains("please answer y (send), n (skip this one) or q (send nothing more)"))
        // End of input is not a yes.
        #expect(await ask(SendQuestion(draft: draft, warnings: [])) == .quit)
    }
}
