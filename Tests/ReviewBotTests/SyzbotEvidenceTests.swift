import CurlKit
import Foundation
import LoopbackServers
import MboxParser
import PromptLibrary
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// A patch that closes a syzbot bug, reviewed with the dashboard stand-in.
@Suite(.serialized) struct SyzbotEvidenceTests {
    static let apiKey = "test-key-syzbot-5678"
    static let extid = "48240bab47e705c53126"

    /// A fix to nbd's `recv_work()` closing the KASAN use-after-free of the fixture.
    static var patchMail: Data {
        EvidenceThreads.mboxrd([EvidenceThreads.Mail(
            id: "nbd-fix-1@example.org", from: EvidenceThreads.author,
            subject: "[PATCH] nbd: hold the config reference across recv_work()", date: "Tue, 13 May 2025 09:00:00 +0000",
            body: """
            recv_work() drops its config reference with nbd_config_put() and then
            decrements config->recv_threads, which the put may have freed.

            Reported-by: syzbot+\(extid)@syzkaller.appspotmail.com
            Closes: https://syzkaller.appspot.com/bug?extid=\(extid)
            Signed-off-by: Jane Author <jane@example.org>
            ---
             drivers/block/nbd.c | 2 +-
             1 file changed, 1 insertion(+), 1 deletion(-)

            diff --git a/drivers/block/nbd.c b/drivers/block/nbd.c
            index 1111111..2222222 100644
            --- a/drivers/block/nbd.c
            +++ b/drivers/block/nbd.c
            @@ -1018,7 +1018,7 @@ static void recv_work(struct work_struct *work)
             \tmutex_unlock(&nsock->tx_lock);
             \tnbd_mark_nsock_dead(nbd, nsock, 1);
            -\tnbd_config_put(nbd);
            -\tatomic_dec(&config->recv_threads);
            +\tatomic_dec(&config->recv_threads);
            +\tnbd_config_put(nbd);
             \twake_up(&config->recv_wq);
             \tkfree(args);
             }
            --\u{20}
            2.39.2
            """)])
    }

    struct Run {
        var outcome: ReviewOutcome
        var api: FakeMessagesAPI
        var dashboard: HTTPServer
        var directory: URL
    }

    /// `treePath` is given as `--tree` is: the fix checks and the code context both read it.
    static func review(mode: FakeSyzbot.Mode, mail: Data = patchMail, treePath: String? = nil,
                       script: @escaping FakeMessagesAPI.Script) async throws -> Run {
        let dashboard = try FakeSyzbot(bugs: try SyzbotTestFixtures.bugs(), mode: mode).start()
        var options = FakeMessagesAPI.Options()
        options.apiKey = apiKey
        let api = try FakeMessagesAPI(options: options, script: script)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-syzbot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let mbox = home.appendingPathComponent("fix.mbox")
        try mail.write(to: mbox)
        var config = Configuration()
        config.syzbot.url = dashboard.baseURL
        config.lore.cache = false
        config.model.baseURL = api.baseURL
        config.model.concurrency = 1
        config.drafts.from = "Rev Iewer <rev@example.net>"
        config.tree.path = treePath
        let reader = SourceReader(configuration: config, environment: ["HOME": home.path])
        let prepared = try await PreparedReview.prepare(ReviewSelection(source: mbox.path), reader: reader,
                                                        library: try PromptLibrary.load())
        let job = ReviewJob(prepared: prepared, configuration: config, outputDirectory: home.appendingPathComponent("out"))
        let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": apiKey]))
        let outcome = try await job.run(transport: transport, store: nil, date: Date(timeIntervalSince1970: 1_700_000_000))
        return Run(outcome: outcome, api: api, dashboard: dashboard, directory: home.appendingPathComponent("out"))
    }

    /// Reports one finding on the moved `nbd_config_put()` line; the verifier confirms.
    static let oneFinding: FakeMessagesAPI.Script = { call in
        guard call.tool == "report_findings" else { return FakeMessagesAPI.defaultReply(call) }
        return .tool(json: #"{"findings":[{"file":"drivers/block/nbd.c","anchor":"\tnbd_config_put(nbd);","category":"use-after-free","severity":"medium","comment":"Can wake_up(&config->recv_wq) below run after nbd_config_put() freed config?"}]}"#)
    }

    @Test func theKASANReportReachesTheTaskAndTheVerificationWithItsThreeStacks() async throws {
        let run = try await Self.review(mode: .normal, script: Self.oneFinding)
        defer { run.api.stop(); run.dashboard.stop() }
        let review = try #require(run.api.exchanges.first { $0.call?.tool == "report_findings" })
        let verify = try #require(run.api.exchanges.first { $0.call?.tool == "verify_finding" })
        for exchange in [review, verify] {
            let text = EarlierRoundsTests.allText(try #require(exchange.json))
            #expect(text.contains("Bug: KASAN: slab-use-after-free Write in recv_work (2)"))
            #expect(text.contains("Crash report 1: KASAN use-after-free"))
            #expect(text.contains("Call trace:\n  recv_work (drivers/block/nbd.c:1022)"))
            #expect(text.contains("Allocated by task 5940:\n  nbd_alloc_and_init_config (drivers/block/nbd.c:1659)"))
            #expect(text.contains("Freed by task 67:\n  nbd_config_put (drivers/block/nbd.c:1449)"))
            #expect(text.contains("Reproducer: C and syz reproducer"))
        }
        // recv_work() is on the stacks: the stack check passes and writes no finding.
        let checks = try #require(run.outcome.evidence.first??.checks)
        #expect(checks.map(\.outcome) == [.passed])
        #expect(run.outcome.report.patches[0].findings.allSatisfy { !$0.isDeterministic })
    }

    @Test func aDashboardThatIsDownIsANoteAndTheReviewIsComplete() async throws {
        let run = try await Self.review(mode: .serverError, script: Self.oneFinding)
        defer { run.api.stop(); run.dashboard.stop() }
        #expect(run.outcome.report.failedTasks.isEmpty && run.outcome.report.unreviewedTasks.isEmpty)
        #expect(run.outcome.report.patches[0].findings.count == 1)
        let report = try String(contentsOf: run.directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("the syzbot dashboard at \(run.dashboard.baseURL) answered http 500 for bug extid=\(Self.extid)"))
        #expect(report.contains("the patch was reviewed without the report"))
        #expect(report.contains("the fix changes the report's stacks: **not done**"))
        let request = try #require(run.api.exchanges.first { $0.call?.tool == "report_findings" })
        #expect(!EarlierRoundsTests.allText(try #require(request.json)).contains("Crash report 1"))
    }

    /// A "fix" to nbd_ioctl(), which is not on the report's stacks and calls nothing on them.
    static var offTheStacksMail: Data {
        EvidenceThreads.mboxrd([EvidenceThreads.Mail(
            id: "nbd-fix-2@example.org", from: EvidenceThreads.author,
            subject: "[PATCH] nbd: refuse unknown ioctls", date: "Tue, 13 May 2025 09:00:00 +0000",
            body: """
            Unknown commands should fail with -ENOTTY.

            Reported-by: syzbot+\(extid)@syzkaller.appspotmail.com
            Signed-off-by: Jane Author <jane@example.org>
            ---
             drivers/block/nbd.c | 2 +-
             1 file changed, 1 insertion(+), 1 deletion(-)

            diff --git a/drivers/block/nbd.c b/drivers/block/nbd.c
            index 1111111..2222222 100644
            --- a/drivers/block/nbd.c
            +++ b/drivers/block/nbd.c
            @@ -15,3 +15,3 @@ static int nbd_ioctl(struct block_device *bdev, unsigned int cmd)
             {
            -\treturn cmd ? -EINVAL : 0;
            +\treturn cmd ? -ENOTTY : 0;
             }
            --\u{20}
            2.39.2
            """)])
    }

    @Test func aPatchOffTheStacksGetsTheDeterministicCommitMessageFinding() async throws {
        let (repository, _) = try SmallGitRepository.make(SmallGitRepository.nbdHistory)
        defer { repository.remove() }
        let run = try await Self.review(mode: .normal, mail: Self.offTheStacksMail, treePath: repository.path.path,
                                        script: { FakeMessagesAPI.defaultReply($0) })
        defer { run.api.stop(); run.dashboard.stop() }
        let findings = run.outcome.report.patches[0].findings
        let finding = try #require(findings.first { $0.isDeterministic })
        #expect(findings.count == 1)
        #expect(finding.finding.category == .commitMessage)
        #expect(finding.finding.anchor == "Reported-by: syzbot+\(Self.extid)@syzkaller.appspotmail.com")
        #expect(finding.finding.comment.hasPrefix("The syzbot report this patch closes (KASAN: slab-use-after-free "
            + "Write in recv_work (2)) shows recv_work()"))
        #expect(finding.finding.comment.hasSuffix("and this patch changes nbd_ioctl(), none of which is on those "
            + "stacks or calls a function on them; does it fix the crash the report shows?"))
        // Written without a model call: no verification request.
        #expect(!run.api.exchanges.contains { $0.call?.tool == "verify_finding" })
        let json = try String(contentsOf: run.directory.appendingPathComponent("findings.json"), encoding: .utf8)
        #expect(json.contains(#""deterministicCheck" : "syzbot-stack-changed""#)
            || json.contains(#""deterministicCheck":"syzbot-stack-changed""#))
    }
}
