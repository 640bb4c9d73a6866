import CurlKit
import Foundation
import MboxParser
import ReviewEngine
@testable import ReviewBotKit
import Testing

/// The nastiest inputs of the drafting fuzz target (Fuzz/draft-seeds, written for it: an
/// encoded CRLF that would add a Bcc, an encoded blank line, display names full of
/// specials and escapes, a patch without a Message-ID, a name that decodes to NUL and
/// ESC), drafted and read back by our strict reader and by Python's `email` package.
@Suite struct HostileDraftTests {
    static let seeds = EndToEndReviewTests.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/draft-seeds")
    static let settings = DraftSettings(reviewer: MailAddress(name: "Rev Iewer", email: "rev@example.net"),
                                        disclosure: "This review was drafted with an AI assistant.")

    /// The addresses the original gave that a reply can carry, each once: what both readers
    /// must find in the draft's To and Cc.
    static func expectedRecipients(_ mail: OriginalMail) -> [String] {
        var out: [String] = []
        var seen: Set<String> = ["rev@example.net"]
        if MailHeaderText.isAddrSpec(mail.author.email) {
            out.append(mail.author.email)
            seen.insert(mail.author.email.lowercased())
        }
        for address in mail.to + mail.cc where MailHeaderText.isAddrSpec(address.email) {
            if seen.insert(address.email.lowercased()).inserted { out.append(address.email) }
        }
        return out
    }

    @Test(arguments: ["crlf-subject.eml", "names.eml", "no-id.eml", "odd.eml"])
    func hostileHeadersGiveADraftBothReadersAgreeOn(_ seed: String) throws {
        let raw = try Data(contentsOf: Self.seeds.appendingPathComponent(seed))
        let message = try MailMessage(raw: [UInt8](raw), location: MessageLocation(file: seed, number: 1))
        let series = SeriesMessage(message)
        let original = OriginalMail(series)
        let draft = ReviewDraft.make(
            ReviewDraftInput(mail: original, title: series.subject, body: series.bodyText, patch: series.patch ?? Patch(),
                             comments: [DraftComment(anchor: .commitMessage("none"), severity: "low", category: "style",
                                                     text: "A comment quoting the mail: \(series.bodyText.prefix(80))")]),
            settings: Self.settings, date: Date(timeIntervalSince1970: 1_700_000_000))

        let head = draft.mail.components(separatedBy: "\n\n")[0]
        for line in head.split(separator: "\n") {
            #expect(line.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "\(TerminalText.visible(String(line)))")
        }
        let expected = Self.expectedRecipients(original)
        let ours = try OutgoingDraft(file: "0001.eml", bytes: Data(draft.mail.utf8))
        #expect(ours.recipients == expected)
        #expect(ours.bcc.isEmpty)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rb-hostile-\(UUID().uuidString).eml")
        try Data(draft.mail.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let python = try StandardMailParser.parse(file)
        #expect(python.recipients.map { $0.lowercased() } == expected.map { $0.lowercased() })
        #expect(!python.headerNames.contains { $0.lowercased() == "bcc" })
        #expect(python.defects.isEmpty, "\(python.defects)")
        let subject = MailHeaderText.singleLine(original.subject)
        #expect(python.subject == MailHeaderText.singleLine(subject.lowercased().hasPrefix("re:") ? subject : "Re: " + subject))
        if MailHeaderText.isMessageID(original.messageID) {
            #expect(python.inReplyTo == "<\(original.messageID)>")
        } else {
            #expect(!python.headerNames.contains("In-Reply-To"))
            #expect(draft.notes.contains { $0.contains("has no usable Message-ID") })
        }
    }
}
