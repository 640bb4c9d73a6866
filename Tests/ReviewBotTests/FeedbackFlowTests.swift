import Foundation
import LoopbackServers
import PromptLibrary
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// `reviewbot feedback` end to end: a review drafts two comments, the maintainer deletes
/// one and rewords the other, and what that teaches holds in later reviews.
@Suite(.serialized) struct FeedbackFlowTests {
    static let leakAnchor = "\tret = clk_prepare_enable(priv->clk);"
    static let nullAnchor = "\tpriv->regs = devm_platform_ioremap_resource(pdev, 0);"
    static let leakComment = "Does this leak the clock when the ioremap below fails? clk_prepare_enable() runs "
        + "first, and the error path after devm_platform_ioremap_resource() returns without clk_disable_unprepare()."
    static let nullComment = "Can priv->regs be NULL here? devm_platform_ioremap_resource() returns an ERR_PTR on "
        + "failure, never NULL, so the IS_ERR() check is the one the error path needs."
    static let lessonText = "Clocks of this driver are devm-managed through the core; do not ask about ioremap NULL checks."

    /// One watchdog patch (or, with `path`, the same change elsewhere) as `git format-patch` writes it.
    static func patchMail(revision: Int, path: String = "drivers/watchdog/foo_wdt.c") -> String {
        let version = revision > 1 ? " v\(revision)" : ""
        return """
            From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
            From: Ada Author <ada@example.org>
            Date: Mon, 1 Jan 2024 00:00:0\(revision) +0000
            Subject: [PATCH\(version)] watchdog: foo: enable the clock in probe
            Message-ID: <foo-v\(revision)-\(path.count)@example.org>
            To: linux-watchdog@vger.kernel.org

            Enable the clock before touching the registers.

            Signed-off-by: Ada Author <ada@example.org>
            ---
             \(path) | 4 ++++
             1 file changed, 4 insertions(+)

            diff --git a/\(path) b/\(path)
            index 1111111..2222222 100644
            --- a/\(path)
            +++ b/\(path)
            @@ -10,6 +10,10 @@ static int foo_wdt_probe(struct platform_device *pdev)
             \tpriv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
             \tif (!priv)
             \t\treturn -ENOMEM;
            +\tret = clk_prepare_enable(priv->clk);
            +\tif (ret)
            +\t\treturn ret;
            +\tpriv->regs = devm_platform_ioremap_resource(pdev, 0);
             \tplatform_set_drvdata(pdev, priv);
             \treturn 0;
             }
            --\u{20}
            2.39.2

            """
    }

    /// The model: the two findings on every task that has their lines, confirmed.
    static func model(_ call: FakeMessagesAPI.Call) -> FakeMessagesAPI.Reply {
        switch call.tool {
        case "report_findings":
            let file = call.userText.components(separatedBy: "+++ b/").dropFirst().first?
                .components(separatedBy: "\n").first ?? ""
            var findings: [[String: Any]] = []
            for (anchor, comment, category) in [(leakAnchor, leakComment, "resource-leak"),
                                                (nullAnchor, nullComment, "error-handling")]
            where call.userText.contains("+" + anchor) {
                findings.append(["file": file, "anchor": anchor, "category": category,
                                 "severity": "medium", "comment": comment])
            }
            return .tool(input: try! JSONSerialization.data(withJSONObject: ["findings": findings], options: [.sortedKeys]))
        case "verify_finding":
            return .tool(json: #"{"verdict":"confirmed","reason":"checked"}"#)
        default:
            return .tool(json: "{}")
        }
    }

    /// A home with its own XDG directories, a fake API, and a review that can be run
    /// there as often as a test likes.
    final class Bench {
        let home: URL
        let fake: FakeMessagesAPI
        var environment: [String: String]
        var config = Configuration()

        init() throws {
            home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-feedback-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            fake = try FakeMessagesAPI(script: FeedbackFlowTests.model)
            environment = ["HOME": home.path, "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path]
            config.model.baseURL = fake.baseURL
            config.model.concurrency = 1
            config.drafts.from = "Rev Iewer <rev@example.net>"
        }

        deinit {
            fake.stop()
            try? FileManager.default.removeItem(at: home)
        }

        var store: StateStore { get throws { try StateStore(url: XDGDirectories(environment: environment).stateDatabase) } }

        func review(_ mail: String, into name: String) async throws -> (ReviewOutcome, URL, PreparedReview) {
            let file = home.appendingPathComponent(name + ".mbox")
            try Data(mail.utf8).write(to: file)
            let reader = SourceReader(configuration: config, environment: environment)
            let prepared = try await PreparedReview.prepare(ReviewSelection(source: file.path), reader: reader,
                                                            library: try PromptLibrary.load())
            let out = home.appendingPathComponent(name)
            let job = ReviewJob(prepared: prepared, configuration: config, outputDirectory: out)
            let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": "sk-ant-fake-key"]))
            let outcome = try await job.run(transport: transport, store: try store, date: Date(timeIntervalSince1970: 1_700_000_000))
            return (outcome, out, prepared)
        }
    }

    /// The maintainer's edit of the draft: the leak comment deleted, the NULL comment reworded.
    static func edit(_ draft: URL) throws {
        var text = try String(contentsOf: draft, encoding: .utf8)
        let leak = TextWrapping.wrap(leakComment), null = TextWrapping.wrap(nullComment)
        #expect(text.contains(leak) && text.contains(null), "the draft carries both comments")
        text = text.replacingOccurrences(of: leak + "\n", with: "")
        text = text.replacingOccurrences(of: null, with: TextWrapping.wrap(
            "Can priv->regs really be NULL here? devm_platform_ioremap_resource() gives an ERR_PTR on failure, "
                + "so the IS_ERR() check is what the error path needs."))
        try Data(text.utf8).write(to: draft)
    }

    @Test func aDeletedAndARewordedCommentAreRejectedAndEditedAndTheRejectionHolds() async throws {
        let bench = try Bench()
        let (first, out, _) = try await bench.review(Self.patchMail(revision: 1), into: "v1")
        let kept = try #require(first.report.patches.first?.findings)
        #expect(kept.count == 2)
        let leakPrint = try #require(kept.first { $0.finding.comment == Self.leakComment }?.fingerprint.hex)
        let nullPrint = try #require(kept.first { $0.finding.comment == Self.nullComment }?.fingerprint.hex)

        try Self.edit(out.appendingPathComponent("0001.eml"))
        let job = FeedbackJob(configuration: bench.config, environment: bench.environment)
        let report = try await job.compare(directory: out, sent: .draftFiles, store: try bench.store)
        let verdicts = Dictionary(uniqueKeysWithValues: report.drafts.flatMap(\.results).map { ($0.finding.fingerprint, $0.verdict) })
        #expect(verdicts == [leakPrint: .rejected, nullPrint: .edited])
        #expect(try bench.store.rejectedFingerprints() == [leakPrint])

        // stats: both verdicts under the guide that was in force for the patch.
        let stats = try FeedbackStats.compute(store: try bench.store)
        #expect(stats.byGuide["watchdog"] == FeedbackStats.Counts(accepted: 0, edited: 1, rejected: 1))
        #expect(stats.byCategory["resource-leak"]?.rejected == 1)
        #expect(stats.byCategory["error-handling"]?.edited == 1)
        #expect(stats.listing.contains("watchdog"))

        // The same review again, and the next revision: the rejected finding is dropped
        // for what it is; the edited one is still raised (and on v2 not repeated).
        let (rerun, _, _) = try await bench.review(Self.patchMail(revision: 1), into: "v1-again")
        let again = try #require(rerun.report.patches.first)
        #expect(again.findings.map(\.fingerprint.hex) == [nullPrint])
        #expect(again.dropped.map(\.reason) == [.rejectedByMaintainer])
        #expect(rerun.reportMarkdown.contains("1 finding not raised again: you rejected it before"))
        let (second, _, _) = try await bench.review(Self.patchMail(revision: 2), into: "v2")
        let v2 = try #require(second.report.patches.first)
        #expect(v2.findings.isEmpty)
        #expect(Set(v2.dropped.map(\.reason)) == [.rejectedByMaintainer, .reportedInEarlierRevision])
    }

    @Test func aLessonFromARejectionIsInTheNextCachedPrefixOfItsSubsystemOnly() async throws {
        let bench = try Bench()
        let (first, _, _) = try await bench.review(Self.patchMail(revision: 1), into: "v1")
        let nullPrint = try #require(first.report.patches.first?.findings
            .first { $0.finding.comment == Self.nullComment }?.fingerprint.hex)
        let job = FeedbackJob(configuration: bench.config, environment: bench.environment)
        let hand = try job.recordByHand(.rejected, fingerprint: String(nullPrint.prefix(10)), label: .falsePositive,
                                        why: Self.lessonText, store: try bench.store)
        let lesson = try #require(hand.lesson)
        #expect(lesson.scope == ["watchdog"])
        #expect(try bench.store.lessons().map(\.text) == [Self.lessonText])

        let before = bench.fake.exchanges.count
        let (_, _, prepared) = try await bench.review(Self.patchMail(revision: 2), into: "v2")
        #expect(prepared.lessonsShown == 1)
        let requests = bench.fake.exchanges[before...].compactMap(\.json)
        let reviews = requests.filter { (($0["tool_choice"] as? [String: Any])?["name"] as? String) == "report_findings" }
        #expect(!reviews.isEmpty)
        for request in reviews {
            let system = try #require(request["system"] as? [[String: Any]])
            let index = try #require(system.firstIndex { ($0["text"] as? String)?.contains(Self.lessonText) == true })
            // In the guide group: the last system block, the one that closes the cached
            // prefix every patch shares (the second breakpoint).
            #expect(index == system.count - 1)
            #expect(system[index]["cache_control"] != nil)
            #expect(system.filter { $0["cache_control"] != nil }.count == 2)
        }

        // A patch no watchdog guide matches does not get it.
        let elsewhere = bench.fake.exchanges.count
        let (_, _, other) = try await bench.review(Self.patchMail(revision: 1, path: "drivers/misc/foo.c"), into: "misc")
        #expect(other.lessonsShown == 0)
        for exchange in bench.fake.exchanges[elsewhere...] {
            #expect(!(String(data: exchange.body, encoding: .utf8) ?? "").contains(Self.lessonText))
        }
    }
    @Test func aReplyOnTheListThatDisputesACommentReachesTheNextRevisionsReview() async throws {
        let bench = try Bench()
        let (first, out, _) = try await bench.review(Self.patchMail(revision: 1), into: "v1")
        let leakPrint = try #require(first.report.patches.first?.findings
            .first { $0.finding.comment == Self.leakComment }?.fingerprint.hex)
        // The thread on lore: the patch, our review as sent, and the author's answer that
        // quotes the leak comment and says it is wrong.
        let draft = try String(contentsOf: out.appendingPathComponent("0001.eml"), encoding: .utf8)
        let draftID = try #require(draft.components(separatedBy: "\nMessage-ID: <").dropFirst().first?
            .components(separatedBy: ">").first)
        let patchID = "foo-v1-\("drivers/watchdog/foo_wdt.c".count)@example.org"
        let quoted = TextWrapping.wrap(Self.leakComment).split(separator: "\n").map { "> " + $0 }.joined(separator: "\n")
        let answer = "No, the clock is devm-managed through the core here; nothing leaks on that path."
        let reply = """
            From mboxrd@z Thu Jan  1 00:00:00 1970
            From: Ada Author <ada@example.org>
            To: Rev Iewer <rev@example.net>
            Date: Tue, 2 Jan 2024 00:00:00 +0000
            Subject: Re: [PATCH] watchdog: foo: enable the clock in probe
            Message-ID: <answer-1@example.org>
            In-Reply-To: <\(draftID)>
            References: <\(patchID)> <\(draftID)>

            \(quoted)

            \(answer)

            """
        // public-inbox's mboxrd, as lore serves it.
        let separator = "From mboxrd@z Thu Jan  1 00:00:00 1970\n"
        let patch = separator + Self.patchMail(revision: 1).split(separator: "\n", maxSplits: 1)[1]
        let sent = separator + draft.replacingOccurrences(of: "\r\n", with: "\n")
        let mbox = patch + "\n" + sent + (sent.hasSuffix("\n") ? "" : "\n") + "\n" + reply
        let lore = try FakeLore(threads: [.init(list: "linux-watchdog", mbox: Data(mbox.utf8))]).start()
        defer { lore.stop() }
        bench.config.lore.url = lore.baseURL
        bench.config.lore.cache = false

        let job = FeedbackJob(configuration: bench.config, environment: bench.environment)
        let thread = try await job.readThread(patchID, store: try bench.store)
        #expect(thread.reviews == 1 && thread.replies == 1)
        #expect(thread.disputes.map(\.fingerprint) == [leakPrint])

        let before = bench.fake.exchanges.count
        _ = try await bench.review(Self.patchMail(revision: 2), into: "v2")
        let reviews = bench.fake.exchanges[before...].compactMap(\.call).filter { $0.tool == "report_findings" }
        #expect(!reviews.isEmpty)
        #expect(reviews.allSatisfy { $0.userText.contains("Comments of ours that were disputed") && $0.userText.contains(answer) })
    }
}
