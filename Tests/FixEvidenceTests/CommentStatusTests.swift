import MboxParser
import Testing
@testable import FixEvidence

@Suite struct CommentStatusTests {
    /// v2 of a patch: the clock line became devm_clk_get(); `return 0;` is still added.
    let v2 = PatchParser.parse(body: """
        The probe forgot the clock.

        Signed-off-by: Jane Author <jane@example.org>
        ---
        diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
        --- a/drivers/foo/foo.c
        +++ b/drivers/foo/foo.c
        @@ -10,2 +10,5 @@ static int foo_probe(struct platform_device *pdev)
         \tpriv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
        +\tpriv->clk = devm_clk_get(&pdev->dev, NULL);
        +\tclk_prepare_enable(priv->clk);
        +\treturn 0;
         }

        """)

    func comment(_ quoted: [String], _ text: String, file: String? = "drivers/foo/foo.c") -> ReviewComment {
        ReviewComment(id: "v1-C1", reviewer: MailAddress(name: "Rita Reviewer", email: "rita@example.org"),
                      messageID: "rita-1@example.org", revision: 1, file: file, quoted: quoted, text: text)
    }

    @Test func changedQuotedLinesMeanAddressed() {
        let verdict = comment(["+\tpriv->clk = clk_get(&pdev->dev, NULL);"], "Can this use devm_clk_get()?")
            .verdict(in: v2, raised: [])
        #expect(verdict.status == .addressed)
    }

    @Test func unchangedLinesWithoutAFindingAreUnclear() {
        let verdict = comment(["+\treturn 0;"], "This ignores the return value of clk_prepare_enable().")
            .verdict(in: v2, raised: [])
        #expect(verdict.status == .unclear)
    }

    @Test func aFindingCitingTheCommentMeansNotAddressed() {
        let earlier = comment(["+\treturn 0;"], "This ignores the return value of clk_prepare_enable().")
        let byID = RaisedFinding(file: "drivers/foo/foo.c", anchor: "\treturn 0;", comment: "Still ignored.",
                                 evidence: "v1-C1")
        let byLink = RaisedFinding(file: "drivers/foo/foo.c", anchor: "\treturn 0;",
                                   comment: "Rita asked in https://lore.kernel.org/r/rita-1@example.org ...", evidence: nil)
        let unrelated = RaisedFinding(file: "drivers/foo/foo.c", anchor: "\treturn 0;", comment: "See v1-C12.", evidence: nil)
        #expect(earlier.verdict(in: v2, raised: [byID]).status == .notAddressed)
        #expect(earlier.verdict(in: v2, raised: [byLink]).status == .notAddressed)
        #expect(earlier.verdict(in: v2, raised: [unrelated]).status == .unclear)
    }

    @Test func commitMessageComments() {
        let changed = comment(["The probe forgot the clock and the reset."], "Which reset?", file: nil)
        #expect(changed.verdict(in: v2, raised: []).status == .addressed)
        let same = comment(["The probe forgot the clock."], "Which clock is this about?", file: nil)
        #expect(same.verdict(in: v2, raised: []).status == .unclear)
    }

    @Test func aBotCommentIsRepeatedOnlyAtTheSameLineWithTheSameWords() {
        var bot = comment([" \tpriv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);", "+\treturn 0;"],
                          "Does this ignore the return value of clk_prepare_enable()? The probe then succeeds with the clock off.")
        bot.source = .aiBot
        let same = RaisedFinding(file: "drivers/foo/foo.c", anchor: "\treturn 0;",
                                 comment: "Is the return value of clk_prepare_enable() ignored here?", evidence: nil)
        let otherLine = RaisedFinding(file: "drivers/foo/foo.c", anchor: "\tclk_prepare_enable(priv->clk);",
                                      comment: "Is the return value of clk_prepare_enable() ignored here?", evidence: nil)
        let otherWords = RaisedFinding(file: "drivers/foo/foo.c", anchor: "\treturn 0;",
                                       comment: "Can foo_remove() run before the IRQ handler is registered?", evidence: nil)
        #expect(bot.isRepeated(by: same))
        #expect(!bot.isRepeated(by: otherLine))
        #expect(!bot.isRepeated(by: otherWords))
    }
}
