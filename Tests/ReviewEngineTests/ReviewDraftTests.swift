import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

/// A small patch written out by hand with its parsed form, so the drafting rules are
/// tested apart from the diff parser.
enum SoundPatch {
    static let body = """
        The hardware init can fail; handle it.

        Signed-off-by: Dev Eloper <dev@example.org>
        ---
         sound/pci/y.c | 4 ++++
         1 file changed, 4 insertions(+)

        diff --git a/sound/pci/y.c b/sound/pci/y.c
        index 1111111..2222222 100644
        --- a/sound/pci/y.c
        +++ b/sound/pci/y.c
        @@ -120,6 +120,10 @@ static int y_probe(struct pci_dev *pci)
         \terr = snd_card_new(&pci->dev, -1, NULL, THIS_MODULE, 0, &card);
         \tif (err < 0)
         \t\treturn err;
        +\terr = y_hw_init(chip);
        +\tif (err)
        +\t\treturn err;
        +
         \tstrcpy(card->driver, "Y");
         \tstrcpy(card->shortname, "Y");
         \treturn snd_card_register(card);
        --\u{20}
        2.43.0
        """

    static var patch: Patch {
        var lines: [DiffLine] = []
        var old = 120, new = 120
        for raw in body.split(separator: "\n", omittingEmptySubsequences: false)[12...21] {
            let text = String(raw.dropFirst())
            switch raw.first {
            case "+": lines.append(DiffLine(kind: .added, text: text, newLine: new)); new += 1
            default: lines.append(DiffLine(kind: .context, text: text, oldLine: old, newLine: new)); old += 1; new += 1
            }
        }
        let hunk = Hunk(oldStart: 120, oldCount: 6, newStart: 120, newCount: 10,
                        functionContext: "static int y_probe(struct pci_dev *pci)", lines: lines)
        return Patch(commitMessage: "The hardware init can fail; handle it.\n",
                     files: [FileDiff(oldPath: "sound/pci/y.c", newPath: "sound/pci/y.c",
                                      status: .modified, hunks: [hunk])])
    }

    static let mail = OriginalMail(
        messageID: "20250101-y-v1-1-abc@example.org", subject: "[PATCH] ALSA: y: check hw init",
        references: ["20250101-y-v1-0-abc@example.org"],
        author: MailAddress(name: "Dev Eloper", email: "dev@example.org"),
        to: [MailAddress(name: "Takashi Iwai", email: "tiwai@suse.de")],
        cc: [MailAddress(name: "", email: "linux-sound@vger.kernel.org"),
             MailAddress(name: "Dev Eloper", email: "dev@example.org")],
        date: "Wed, 1 Jan 2025 10:00:00 +0100")

    static let settings = DraftSettings(
        reviewer: MailAddress(name: "Rev Iewer", email: "rev@example.net"),
        disclosure: "This review was drafted with an AI assistant and checked by the sender.")
}

@Suite struct ReviewDraftTests {
    let leak = DraftComment(
        anchor: .diff(file: 0, hunk: 0, line: 5), severity: "high", category: "resource-leak",
        text: "Does this leak the card when y_hw_init() fails? snd_card_new() allocated it a few lines above, and the error path returns without snd_card_free(card).")

    func draft(_ comments: [DraftComment]) -> ReviewDraft {
        ReviewDraft.make(ReviewDraftInput(mail: SoundPatch.mail, title: "ALSA: y: check hw init",
                                          body: SoundPatch.body, patch: SoundPatch.patch, comments: comments),
                         settings: SoundPatch.settings, date: Date(timeIntervalSince1970: 1_735_725_600))
    }

    @Test func commentSitsUnderItsLineAndNothingFollowsTheLastComment() {
        let quoted = draft([leak]).quotedReview.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(quoted.first == "> diff --git a/sound/pci/y.c b/sound/pci/y.c")
        // The hunk is quoted from its header (a two-line gap is not worth a cut).
        #expect(quoted[3].hasPrefix("> @@ -120,6 +120,10 @@"))
        #expect(quoted[4] == ">  \terr = snd_card_new(&pci->dev, -1, NULL, THIS_MODULE, 0, &card);")
        let lastQuote = quoted.lastIndex(where: { $0.hasPrefix(">") })!
        #expect(quoted[lastQuote] == "> +\t\treturn err;")
        #expect(quoted[lastQuote + 1] == "")
        #expect(quoted[lastQuote + 2].hasPrefix("Does this leak the card"))
        #expect(!quoted.contains { $0.contains("snd_card_register") })
    }

    @Test func everyQuotedLineIsALineOfThePatch() {
        let patchLines = Set(SoundPatch.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        let d = draft([leak, DraftComment(anchor: .commitMessage("The hardware init can fail; handle it."),
                                          severity: "low", category: "commit-message",
                                          text: "Which hardware fails here?")])
        for line in d.quotedReview.split(separator: "\n") where line.hasPrefix(">") {
            let unquoted = line == ">" ? "" : String(line.dropFirst(2))
            #expect(patchLines.contains(unquoted), "not a patch line: \(line)")
        }
        #expect(d.quotedReview.contains("[ ... ]"))
    }

    @Test func proseIsWrappedAt78Columns() {
        let d = draft([leak])
        for line in d.mail.split(separator: "\n") where !line.hasPrefix(">") {
            #expect(line.count <= 78, "too long: \(line)")
        }
    }

    @Test func replyHeadersThreadToThePatch() {
        let mail = draft([leak]).mail
        let head = mail.components(separatedBy: "\n\n")[0]
        #expect(head.contains("Subject: Re: [PATCH] ALSA: y: check hw init"))
        #expect(head.contains("In-Reply-To: <20250101-y-v1-1-abc@example.org>"))
        #expect(head.contains("References: <20250101-y-v1-0-abc@example.org>\n <20250101-y-v1-1-abc@example.org>"))
        #expect(head.contains("To: Dev Eloper <dev@example.org>"))
        // The author is not Cc'd twice; the list and the maintainer are.
        #expect(head.contains("Cc: Takashi Iwai <tiwai@suse.de>,\n <linux-sound@vger.kernel.org>"))
        #expect(head.contains("From: Rev Iewer <rev@example.net>"))
        #expect(head.contains("Content-Transfer-Encoding: 8bit"))
        #expect(mail.contains("\n\nThis review was drafted with an AI assistant and checked by the sender.\n\nOn Wed, 1 Jan 2025 10:00:00 +0100, Dev Eloper wrote:\n> diff --git"))
    }

    @Test func sameReviewGivesTheSameMessageID() {
        #expect(draft([leak]).messageID == draft([leak]).messageID)
        #expect(draft([leak]).messageID.hasSuffix("@example.net"))
    }

    @Test func unplaceableCommentIsKeptNotDropped() {
        let lost = DraftComment(anchor: .diff(file: 3, hunk: 0, line: 0), severity: "medium",
                                category: "logic", text: "About a file this patch does not have.")
        let d = draft([leak, lost])
        #expect(d.unplaced == [lost])
        #expect(d.reviewInline.contains("About a file this patch does not have."))
        #expect(d.mail.contains("About a file this patch does not have."))
    }

    @Test func nonASCIISubjectIsEncoded() {
        #expect(MailHeaderText.encodedWords("Re: [PATCH] fix caf\u{e9}") == "=?UTF-8?Q?Re=3A_=5BPATCH=5D_fix_caf=C3=A9?=")
        #expect(MailHeaderText.unstructured("Re: [PATCH] fix caf\u{e9}", nameLength: 9) == "=?UTF-8?Q?Re=3A_=5BPATCH=5D_fix_caf=C3=A9?=")
    }
}
