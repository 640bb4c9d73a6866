import MboxParser
import Testing
@testable import FixEvidence

@Suite struct FixesChecksTests {
    let tag = FixesTag.parse("1a2b3c4d5e6f (\"foo: add the probe\")", line: "Fixes: 1a2b3c4d5e6f (\"foo: add the probe\")")!

    @Test func parsesTheUsualForms() {
        #expect(tag.commit == "1a2b3c4d5e6f" && tag.subject == "foo: add the probe")
        let nested = FixesTag.parse("abcdef123456 (\"Revert \"foo: bar\"\")", line: "")
        #expect(nested?.subject == "Revert \"foo: bar\"")
        #expect(FixesTag.parse("commit ABCDEF1234 (foo)", line: "")?.commit == "abcdef1234")
        #expect(FixesTag.parse("the probe rework", line: "") == nil)
        #expect(FixesTag.all(in: [Trailer(name: "Fixes", value: "abcd1234")]).first?.subject == nil)
    }

    @Test func withoutATreeEveryCheckIsNotDone() {
        let checks = FixesChecks.evaluate(tag, facts: nil, patchFiles: ["a.c"], patchFunctions: [], tree: "")
        #expect(checks.map(\.outcome) == [.notDone, .notDone, .notDone])
        #expect(checks.allSatisfy { $0.detail.hasPrefix("no tree") && $0.comment == nil })
    }

    @Test func aFixedCommitThatTouchedOtherCodeIsAQuestion() {
        let facts = FixedCommitFacts(resolution: .unique("1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"),
                                     subject: "foo: add the probe", files: ["drivers/bar/bar.c"], functions: ["bar_init"])
        let checks = FixesChecks.evaluate(tag, facts: facts, patchFiles: ["drivers/foo/foo.c"],
                                          patchFunctions: ["foo_probe"], tree: "HEAD")
        #expect(checks.map(\.outcome) == [.passed, .passed, .failed])
        #expect(checks[2].comment == "The Fixes: tag names 1a2b3c4d5e6f (\"foo: add the probe\"), which did not touch "
            + "drivers/foo/foo.c or foo_probe(); is this the commit that introduced the problem?")
        #expect(checks[2].line == tag.line)
    }

    @Test func aCutSubjectStillMatches() {
        #expect(FixesChecks.subjectsMatch("foo: add the probe for the...", "foo: add the probe for the new board"))
        #expect(!FixesChecks.subjectsMatch("foo: add...", "foo: add the probe"))
        #expect(FixesChecks.subjectsMatch("Foo:  add the probe", "foo: add the probe"))
    }
}

@Suite struct StackCheckTests {
    func evidence() throws -> SyzbotBugEvidence {
        SyzbotBugEvidence(reference: SyzbotReference(key: .extid, value: SyzbotFixtures.nbdExtid, line: "Reported-by: x")!,
                          bug: SyzbotBug(title: "KASAN: slab-use-after-free Write in recv_work (2)"),
                          reports: [SyzbotReport.parse(try SyzbotFixtures.text("kasan-uaf-nbd-recv_work.txt"))],
                          pageURL: "https://syzkaller.appspot.com/bug?extid=\(SyzbotFixtures.nbdExtid)")
    }

    @Test func onTheStacksPassesWithoutATree() throws {
        let check = StackCheck.evaluate(reference: try evidence().reference, evidence: try evidence(), fetchFailure: nil,
                                        patchFunctions: ["nbd_config_put"], callers: nil)
        #expect(check.outcome == .passed)
    }

    @Test func offTheStacksNeedsTheTreesCallers() throws {
        let evidence = try evidence()
        let noTree = StackCheck.evaluate(reference: evidence.reference, evidence: evidence, fetchFailure: nil,
                                         patchFunctions: ["nbd_release_sockets"], callers: nil)
        #expect(noTree.outcome == .notDone)
        let caller = StackCheck.evaluate(reference: evidence.reference, evidence: evidence, fetchFailure: nil,
                                         patchFunctions: ["nbd_release_sockets"],
                                         callers: ["nbd_config_put": ["recv_work", "nbd_release_sockets"]])
        #expect(caller.outcome == .passed)
        #expect(caller.detail == "the patch changes nbd_release_sockets(), which calls nbd_config_put() from the report's stacks")
        let unrelated = StackCheck.evaluate(reference: evidence.reference, evidence: evidence, fetchFailure: nil,
                                            patchFunctions: ["nbd_ioctl"], callers: ["nbd_config_put": ["recv_work"]])
        #expect(unrelated.outcome == .failed)
        #expect(unrelated.comment == "The syzbot report this patch closes (KASAN: slab-use-after-free Write in recv_work (2)) "
            + "shows recv_work(), nbd_config_put(), nbd_alloc_and_init_config() and nbd_genl_connect() on its "
            + "stacks, and this patch changes nbd_ioctl(), none of which is on those stacks or calls a function on them; "
            + "does it fix the crash the report shows?")
    }

    /// The free stack's top frames come before the allocation's syscall plumbing.
    @Test func callersAreLookedUpForTheTopFramesFirst() throws {
        let order = StackCheck.lookupOrder(try evidence())
        #expect(Array(order.prefix(3)) == ["recv_work", "nbd_config_put", "nbd_alloc_and_init_config"])
    }
}

@Suite struct UntrustedTextTests {
    /// A subject or a bug title reaches a draft's body: nothing in it may hide text or
    /// break the line.
    @Test func controlAndFormatCharactersAreDropped() {
        let tag = FixesTag.parse("abcdef123456 (\"foo: \u{202E}evil\u{202C} fix\u{1B}[2J\nBcc: x\")", line: "")
        #expect(tag?.subject == "foo: evil fix[2J Bcc: x")
        #expect(UntrustedText.oneLine(String(repeating: "a", count: 500)).utf8.count == FixEvidenceLimits.reportTextBytes + 3)
    }

    /// A cut never splits a character: a replacement character in a draft reads as mojibake.
    @Test func longTextIsCutAtACharacterBoundary() {
        let cut = UntrustedText.oneLine(String(repeating: "\u{00E9}", count: 150), limit: 101)
        #expect(cut == String(repeating: "\u{00E9}", count: 50) + "...")
        #expect(!cut.contains("\u{FFFD}"))
    }

    /// A dashboard report's headline goes through the same cleaning as a subject.
    @Test func reportHeadlineIsOneCleanLine() {
        let report = SyzbotReport.parse("BUG: KASAN: use-after-free in \u{202E}recv_work\u{1B}[0m\u{200B}\n")
        #expect(report.headline == "BUG: KASAN: use-after-free in recv_work[0m")
    }
}
