import Foundation

/// Small threads in public-inbox's mboxrd, written for the evidence tests: a patch to a
/// driver's probe, its revisions, and replies to it.
enum EvidenceThreads {
    struct Mail {
        var id: String
        var from: String
        var subject: String
        var inReplyTo: String?
        var date: String
        var body: String
    }

    static func mboxrd(_ mails: [Mail]) -> Data {
        var out = ""
        for mail in mails {
            out += "From mboxrd@z Thu Jan  1 00:00:00 1970\n"
            out += "From: \(mail.from)\nTo: linux-foo@vger.kernel.org\nSubject: \(mail.subject)\n"
            out += "Date: \(mail.date)\nMessage-ID: <\(mail.id)>\n"
            if let parent = mail.inReplyTo { out += "In-Reply-To: <\(parent)>\nReferences: <\(parent)>\n" }
            out += "Content-Type: text/plain; charset=UTF-8\n\n"
            for line in mail.body.split(separator: "\n", omittingEmptySubsequences: false) {
                let escaped = line.drop { $0 == ">" }.hasPrefix("From ") ? ">" + line : String(line)
                out += escaped + "\n"
            }
            out += "\n"
        }
        return Data(out.utf8)
    }

    static let author = "Jane Author <jane@example.org>"
    static let title = "foo: enable the clock in probe"

    /// A patch to `foo_probe()` with the clock lines given.
    static func patch(revision: Int, id: String, clockLine: String, notes: String = "", extraTrailers: String = "",
                      date: String) -> Mail {
        let tag = revision == 1 ? "[PATCH]" : "[PATCH v\(revision)]"
        return Mail(id: id, from: author, subject: "\(tag) \(title)", date: date, body: """
            The probe never enabled the bus clock, so the first register read hangs.

            \(extraTrailers)Signed-off-by: Jane Author <jane@example.org>
            ---
            \(notes)
             drivers/foo/foo.c | 5 +++++
             1 file changed, 5 insertions(+)

            diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
            index 1111111..2222222 100644
            --- a/drivers/foo/foo.c
            +++ b/drivers/foo/foo.c
            @@ -20,6 +20,11 @@ static int foo_probe(struct platform_device *pdev)
             \tpriv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
             \tif (!priv)
             \t\treturn -ENOMEM;
            +\t\(clockLine)
            +\tif (IS_ERR(priv->clk))
            +\t\treturn PTR_ERR(priv->clk);
            +\tclk_prepare_enable(priv->clk);
            +\tpriv->rate = clk_get_rate(priv->clk);
             \tplatform_set_drvdata(pdev, priv);
             \treturn foo_hw_init(priv);
             }
            --\u{20}
            2.39.2
            """)
    }

    static func reply(id: String, from: String, to parent: String, revision: Int, date: String, body: String) -> Mail {
        let tag = revision == 1 ? "[PATCH]" : "[PATCH v\(revision)]"
        return Mail(id: id, from: from, subject: "Re: \(tag) \(title)", inReplyTo: parent, date: date, body: body)
    }

    static let v1ID = "foo-v1-1@example.org"
    static let v2ID = "foo-v2-1@example.org"
    static let ritaID = "rita-1@example.org"
    static let bobID = "bob-1@example.org"

    /// v1 with two human comments (Rita's on clk_get(), Bob's on clk_prepare_enable()), a
    /// robot's mail and a bare Reviewed-by, none of which are comments.
    static var v1Thread: Data {
        mboxrd([
            patch(revision: 1, id: v1ID, clockLine: "priv->clk = clk_get(&pdev->dev, NULL);",
                  date: "Mon, 01 Jan 2024 10:00:00 +0000"),
            reply(id: ritaID, from: "Rita Reviewer <rita@example.org>", to: v1ID, revision: 1,
                  date: "Mon, 01 Jan 2024 12:00:00 +0000", body: """
                On Mon, 01 Jan 2024 10:00:00 +0000, Jane Author wrote:
                > +\tpriv->clk = clk_get(&pdev->dev, NULL);

                Can this use devm_clk_get()? Nothing calls clk_put() on the error
                paths or in foo_remove().

                Rita
                """),
            reply(id: bobID, from: "Bob Maintainer <bob@example.org>", to: v1ID, revision: 1,
                  date: "Mon, 01 Jan 2024 13:00:00 +0000", body: """
                > +\tclk_prepare_enable(priv->clk);

                This ignores the return value of clk_prepare_enable(); a clock that
                fails to enable leaves the device dead without an error.
                """),
            reply(id: "lkp-1@intel.com", from: "kernel test robot <lkp@intel.com>", to: v1ID, revision: 1,
                  date: "Mon, 01 Jan 2024 14:00:00 +0000", body: """
                Hi Jane,

                kernel test robot noticed the following build warnings:

                > +\tpriv->rate = clk_get_rate(priv->clk);

                drivers/foo/foo.c:27: warning: unused variable 'rate' in this build
                """),
            reply(id: "ack-1@example.org", from: "Someone Else <else@example.org>", to: v1ID, revision: 1,
                  date: "Mon, 01 Jan 2024 15:00:00 +0000", body: "Reviewed-by: Someone Else <else@example.org>\n"),
        ])
    }

    /// v2 took Rita's advice and ignored Bob's.
    static func v2Thread(extraReplies: [Mail] = []) -> Data {
        mboxrd([
            patch(revision: 2, id: v2ID, clockLine: "priv->clk = devm_clk_get(&pdev->dev, NULL);",
                  notes: "v2: use devm_clk_get() (Rita)\n", date: "Mon, 08 Jan 2024 10:00:00 +0000"),
        ] + extraReplies)
    }
}
