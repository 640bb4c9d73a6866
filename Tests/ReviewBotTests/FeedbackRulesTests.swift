import Foundation
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// The pure rules behind `reviewbot feedback`: which comment was sent, reworded or
/// deleted, and which reply disputes a comment.
@Suite struct FeedbackRulesTests {
    static func finding(_ comment: String, fingerprint: String = "aa") -> KeptFinding {
        KeptFinding(fingerprint: fingerprint, seriesKey: "s", revision: 1, patchTitle: "t", patchMessageID: "p@x",
                    draftMessageID: "d@x", file: "drivers/foo.c", anchor: "x", category: "resource-leak",
                    severity: "medium", comment: comment, guides: ["watchdog"], patterns: [])
    }

    static let kept = finding("Does this leak the clock when foo_hw_enable() fails? clk_prepare_enable() ran a few "
        + "lines above, and the error path returns without clk_disable_unprepare().", fingerprint: "01")
    static let reworded = finding("Can priv->regs be NULL here? devm_platform_ioremap_resource() returns an ERR_PTR "
        + "on failure, never NULL, so the IS_ERR() check below looks like the one that matters.", fingerprint: "02")
    static let deleted = finding("This isn't a bug, but the new dev_info() message duplicates the one printed by "
        + "the driver core on unbind.", fingerprint: "03")

    /// A reply as a maintainer sends it after editing: the first comment re-wrapped, the
    /// second reworded, the third deleted.
    static let sentBody = """
        This review was drafted with an AI assistant and checked by the sender.

        On Mon, 1 Jan 2024, Ada Author wrote:
        > diff --git a/drivers/foo.c b/drivers/foo.c
        > +\tret = foo_hw_enable(priv);
        > +\tif (ret)
        > +\t\treturn ret;

        Does this leak the clock when foo_hw_enable()
        fails?  clk_prepare_enable() ran a few lines above, and the error path
        returns without clk_disable_unprepare().

        > +\tpriv->regs = devm_platform_ioremap_resource(pdev, 0);

        Can priv->regs really be NULL here? As far as I know devm_platform_ioremap_resource()
        returns an ERR_PTR on failure, so it is the IS_ERR() check below that matters.

        > +\tdev_info(&pdev->dev, "shutting down\\n");

        --\u{20}
        Rev Iewer
        """

    @Test func classifiesSentRewordedAndDeletedComments() {
        let results = FeedbackComparison.compare([Self.kept, Self.reworded, Self.deleted], sentBody: Self.sentBody)
        #expect(results.map(\.verdict) == [.accepted, .edited, .rejected])
        #expect(results[0].similarity == 1)
        #expect(results[1].similarity >= FeedbackComparison.editedThreshold && results[1].similarity < 1)
        #expect(results[1].sentText?.hasPrefix("Can priv->regs really be NULL here?") == true)
        #expect(results[2].similarity < FeedbackComparison.editedThreshold)
    }

    @Test func blocksAreTheUnquotedRunsBeforeTheSignature() {
        let blocks = FeedbackComparison.commentBlocks(in: "intro\n\n> quoted\nfirst\n\nstill first\n> q\nsecond\n-- \nsig")
        #expect(blocks == ["intro", "first\n\nstill first", "second"])
    }

    static let reply = """
        On Tue, 2 Jan 2024, Rev Iewer wrote:
        > > +\tret = foo_hw_enable(priv);
        > > +\tif (ret)
        > > +\t\treturn ret;
        >
        > Does this leak the clock when foo_hw_enable() fails? clk_prepare_enable() ran a
        > few lines above, and the error path returns without clk_disable_unprepare().

        No, the clock is a devm_clk_get_enabled() one since the previous patch, so the
        core disables it when probe fails.

        > > +\tpriv->regs = devm_platform_ioremap_resource(pdev, 0);
        >
        > Can priv->regs be NULL here? devm_platform_ioremap_resource() returns an ERR_PTR
        > on failure, never NULL, so the IS_ERR() check below looks like the one that matters.

        Good catch, will fix in v2. Although the NULL check is not needed at all.

        Thanks,
        Ada
        """

    @Test func aReplyDisputesOnlyWhatItQuotesAndPlainlyDenies() {
        let disputed = DisputeRule.disputed([Self.kept, Self.reworded, Self.deleted], replyBody: Self.reply)
        #expect(disputed.map(\.finding.fingerprint) == ["01"])
        #expect(disputed.first?.answer.hasPrefix("No, the clock is a devm_clk_get_enabled() one") == true)
    }

    @Test func theDisputeMarkersAreConservative() {
        #expect(DisputeRule.disputes("No. This is intentional."))
        #expect(DisputeRule.disputes("I think this is a false positive: the lock is held by the caller."))
        #expect(DisputeRule.disputes("That can't happen, probe is serialised."))
        #expect(!DisputeRule.disputes("Nobody calls this path twice, but I will check."))   // "no" only as a word
        #expect(!DisputeRule.disputes("You're right, but it's not a bug today."))           // agreement wins
        #expect(!DisputeRule.disputes("Thanks, fixed in v2."))
        #expect(!DisputeRule.disputes("Hmm, let me look at it again."))
    }

    @Test func anEditedLessonFileReadsBack() throws {
        let lesson = Lesson(id: 3, scope: ["watchdog", "devm-mixing"], text: "devm_ clocks are released by the core.",
                            category: "resource-leak")
        let text = LessonEditing.render(lesson)
        let parsed = try #require(try LessonEditing.parse(text))
        #expect(parsed.scope == ["watchdog", "devm-mixing"])
        #expect(parsed.text == "devm_ clocks are released by the core.")
        #expect(try LessonEditing.parse("# only comments\n\n") == nil)
        #expect(throws: ReviewBotError.self) { try LessonEditing.parse("scope: Bad/Name\ntext") }
        #expect(throws: ReviewBotError.self) { try LessonEditing.parse("scope: *\n" + String(repeating: "x", count: 500)) }
    }
}
