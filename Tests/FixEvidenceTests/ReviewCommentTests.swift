import MboxParser
import Testing
@testable import FixEvidence

@Suite struct ReviewCommentTests {
    let review = """
        On Mon, 1 Jan 2024 10:00:00 +0000, Jane Author wrote:
        > The probe forgot the clock.
        >
        > diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
        > --- a/drivers/foo/foo.c
        > +++ b/drivers/foo/foo.c
        > @@ -10,6 +10,9 @@ static int foo_probe(struct platform_device *pdev)
        >  	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
        > +	priv->clk = clk_get(&pdev->dev, NULL);

        Can this use devm_clk_get()? Nothing puts the clock on the error paths
        below or in foo_remove().

        > +	clk_prepare_enable(priv->clk);
        [ ... ]
        > +	return 0;

        This ignores the return value of clk_prepare_enable().

        Reviewed-by: Someone Else <else@example.org>

        --
        Jane
        -- 
        signature text that must not count as a comment at all
        """

    @Test func commentsAreTheQuotedLinesAndTheTextUnderThem() {
        let comments = QuotedReply.all(in: review)
        #expect(comments.count == 2)
        #expect(comments[0].file == "drivers/foo/foo.c")
        #expect(comments[0].quoted.last == "+\tpriv->clk = clk_get(&pdev->dev, NULL);")
        #expect(comments[0].text.hasPrefix("Can this use devm_clk_get()?"))
        // The `[ ... ]` cut starts a new quote: the second comment is about `return 0;` only.
        #expect(comments[1].quoted == ["+\treturn 0;"])
        #expect(comments[1].text.hasPrefix("This ignores the return value"))
    }

    @Test func trailersAndThanksAreNotComments() {
        #expect(QuotedReply.all(in: "> +\tfoo();\n\nReviewed-by: A B <a@b.c>\n\nThanks,\nA\n").isEmpty)
        #expect(QuotedReply.all(in: "Acked-by: A B <a@b.c>\n").isEmpty)
        #expect(QuotedReply.all(in: "> +\tfoo();\n\nLGTM\n").isEmpty)
        #expect(QuotedReply.all(in: "> +\tfoo();\n\nWhy foo()?\n").count == 1)
    }

    @Test func reviewerPolicyKnowsBotsAndDisclosures() {
        let policy = ReviewerPolicy()
        #expect(policy.classify(sender: MailAddress(name: "", email: "sashiko-bot@kernel.org"), body: "x") == .aiBot)
        #expect(policy.classify(sender: MailAddress(name: "Jakub", email: "kuba@kernel.org"),
                                body: "This is an AI-generated review of your patch.\n> +x\n\nWhy?") == .aiBot)
        // Quoting someone else's AI review does not make a person a bot.
        #expect(policy.classify(sender: MailAddress(name: "Ivan", email: "i@x.org"),
                                body: "> This is an AI-generated review of your patch.\nWill fix.") == .human)
        #expect(policy.classify(sender: MailAddress(name: "kernel test robot", email: "lkp@intel.com"), body: "") == .robot)
        let custom = ReviewerPolicy(knownBots: ["@bots.example"], disclosures: [])
        #expect(custom.classify(sender: MailAddress(name: "", email: "r2@bots.example"), body: "") == .aiBot)
        #expect(custom.classify(sender: MailAddress(name: "", email: "sashiko-bot@kernel.org"), body: "") == .human)
    }

    @Test func earlierLinksNameTheirRevision() {
        let cover = """
            Changes in v3:
            - Link to v2: https://lore.kernel.org/r/20240102-foo-v2-0-abc@example.org
            v1: https://lore.kernel.org/all/20240101-foo-v1-0-abc@example.org/.
            See also https://lore.kernel.org/r/unrelated@x
            """
        let links = EarlierRevisionLink.all(in: cover, before: 3)
        #expect(links == [
            EarlierRevisionLink(revision: 2, url: "https://lore.kernel.org/r/20240102-foo-v2-0-abc@example.org"),
            EarlierRevisionLink(revision: 1, url: "https://lore.kernel.org/all/20240101-foo-v1-0-abc@example.org/"),
        ])
    }

    @Test func patchesMatchByTitle() {
        let current = ["foo: add the probe", "foo: fix a leak in foo_remove()", "bar: unrelated"]
        #expect(PatchMatching.match("foo: add the probe", in: current) == 0)
        #expect(PatchMatching.match("foo: fix leak in foo_remove()", in: current) == 1)
        #expect(PatchMatching.match("baz: something else entirely", in: current) == nil)
    }
}
