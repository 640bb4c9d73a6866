import Foundation
import Testing
@testable import MboxParser

/// Builds small threads in code, one rule per test.
private struct Thread {
    var messages: [SeriesMessage] = []
    var clock = Date(timeIntervalSince1970: 1_700_000_000)

    static let author = MailAddress(name: "Ann Author", email: "ann@example.org")
    static let reviewer = MailAddress(name: "Rita Reviewer", email: "rita@example.org")

    /// A patch mail with a one-line diff; `trailers` are its own (in the commit message).
    mutating func patch(_ id: String?, _ subject: String, replyTo parent: String? = nil,
                        from: MailAddress = author, trailers: [String] = ["Signed-off-by: Ann Author <ann@example.org>"],
                        file: String = "drivers/watchdog/wdt.c") {
        let body = "Commit message.\n\n" + trailers.joined(separator: "\n") + "\n---\n"
            + " \(file) | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n"
            + "diff --git a/\(file) b/\(file)\nindex 1..2 100644\n--- a/\(file)\n+++ b/\(file)\n"
            + "@@ -1 +1 @@\n-old \(id ?? "")\n+new \(id ?? "")\n-- \n2.43.0\n"
        add(id, subject, parent, from, body)
    }

    mutating func mail(_ id: String?, _ subject: String, replyTo parent: String? = nil,
                       from: MailAddress = reviewer, body: String) {
        add(id, subject, parent, from, body)
    }

    private mutating func add(_ id: String?, _ subject: String, _ parent: String?, _ from: MailAddress, _ body: String) {
        clock += 60
        let patch = PatchParser.containsDiff(body) ? PatchParser.parse(body: body) : nil
        messages.append(SeriesMessage(
            messageID: id, inReplyTo: parent, references: parent.map { [$0] } ?? [], subject: subject,
            from: from, date: clock, bodyText: body, patch: patch,
            location: MessageLocation(file: "test", number: messages.count + 1)))
    }

    func series(version: Int? = nil, messageID: String? = nil) throws -> PatchSeries {
        guard case .found(let series) = SeriesAssembler(messages: messages).select(version: version, messageID: messageID)
        else { throw SeriesTestError.noSeries }
        return series
    }
}

private enum SeriesTestError: Error { case noSeries }

private func values(_ patch: SeriesPatch, _ name: String) -> [String] {
    patch.trailers.filter { $0.name == name }.map(\.value)
}

@Suite struct SeriesAssemblerTests {
    @Test func replyArrivingBeforeThePatchStillCounts() throws {
        var thread = Thread()
        thread.mail("r1", "Re: [PATCH] wdt: fix", replyTo: "p1", body: "Reviewed-by: Rita Reviewer <rita@example.org>\n")
        thread.patch("p1", "[PATCH] wdt: fix")
        let series = try thread.series()
        #expect(values(series.patches[0], "Reviewed-by") == ["Rita Reviewer <rita@example.org>"])
    }

    @Test func replyWithoutReIsAReplyWhenInReplyToSaysSo() throws {
        var thread = Thread()
        thread.patch("p1", "[PATCH] wdt: fix")
        thread.mail("r1", "[PATCH] wdt: fix", replyTo: "p1", body: "Acked-by: Rita Reviewer <rita@example.org>\n")
        let series = try thread.series()
        #expect(series.patches.count == 1)
        #expect(values(series.patches[0], "Acked-by") == ["Rita Reviewer <rita@example.org>"])
    }

    @Test func quotedLinesAndSignatureAreIgnored() throws {
        var thread = Thread()
        thread.patch("p1", "[PATCH] wdt: fix")
        thread.mail("r1", "Re: [PATCH] wdt: fix", replyTo: "p1", body: """
            > Reviewed-by: Rita Reviewer <rita@example.org>
            Looks fine.
            -- 
            Tested-by: Rita Reviewer <rita@example.org>
            """)
        let series = try thread.series()
        #expect(series.patches[0].collectedTrailers.isEmpty)
    }

    @Test func coverLetterTrailersApplyToEveryPatchOnce() throws {
        var thread = Thread()
        thread.mail("c", "[PATCH 0/2] wdt: two fixes", from: Thread.author,
                    body: "Two fixes.\n\n a | 1 +\n 1 file changed, 1 insertion(+)\n")
        thread.patch("p1", "[PATCH 1/2] wdt: one", replyTo: "c")
        thread.patch("p2", "[PATCH 2/2] wdt: two", replyTo: "c",
                     trailers: ["Reviewed-by: Rita Reviewer <rita@example.org>", "Signed-off-by: Ann Author <ann@example.org>"])
        thread.mail("r", "Re: [PATCH 0/2] wdt: two fixes", replyTo: "c", body: "Reviewed-by: Rita Reviewer <rita@example.org>\n")
        let series = try thread.series()
        #expect(series.cover?.message.messageID == "c")
        #expect(values(series.patches[0], "Reviewed-by") == ["Rita Reviewer <rita@example.org>"])
        // Already in patch 2's own trailers: not added again, and own trailers come first.
        #expect(series.patches[1].trailers.map(\.name) == ["Reviewed-by", "Signed-off-by"])
    }

    @Test func replyToAReplyCountsForThePatchAbove() throws {
        var thread = Thread()
        thread.patch("p1", "[PATCH] wdt: fix")
        thread.mail("r1", "Re: [PATCH] wdt: fix", replyTo: "p1", body: "Question?\n")
        thread.mail("r2", "Re: [PATCH] wdt: fix", replyTo: "r1", from: Thread.author, body: "Answer.\n")
        thread.mail("r3", "Re: [PATCH] wdt: fix", replyTo: "r2", body: "Tested-by: Rita Reviewer <rita@example.org>\n")
        let series = try thread.series()
        #expect(values(series.patches[0], "Tested-by") == ["Rita Reviewer <rita@example.org>"])
    }

    @Test func personTrailersNeedAnEmailAndTheSender() throws {
        var thread = Thread()
        thread.patch("p1", "[PATCH] wdt: fix")
        thread.mail("r1", "Re: [PATCH] wdt: fix", replyTo: "p1", body: """
            Reviewed-by: Rita Reviewer
            Acked-by: Someone Else <someone@example.net>
            """)
        let series = try thread.series()
        #expect(series.patches[0].collectedTrailers.isEmpty)
        #expect(series.ignoredTrailers.map(\.trailer.value) == ["Someone Else <someone@example.net>"])
    }

    @Test func robotAdviceIsNotATrailer() throws {
        var thread = Thread()
        thread.patch("p1", "[PATCH] wdt: fix")
        thread.mail("bot", "Re: [PATCH] wdt: fix", replyTo: "p1",
                    from: MailAddress(name: "kernel test robot", email: "lkp@intel.com"),
                    body: "kindly add following tag\nReported-by: kernel test robot <lkp@intel.com>\n")
        thread.mail("pw", "Re: [PATCH] wdt: fix", replyTo: "p1",
                    from: MailAddress(name: "", email: "patchwork-bot+netdevbpf@kernel.org"),
                    body: "This patch was applied.\nSigned-off-by: x <patchwork-bot+netdevbpf@kernel.org>\n")
        let series = try thread.series()
        #expect(series.patches[0].collectedTrailers.isEmpty)
    }

    @Test func pullRequestsAndPlainRepliesAreNotPatches() {
        var thread = Thread()
        thread.mail("pr", "[GIT PULL] watchdog fixes", from: Thread.author,
                    body: "Please pull.\n\n a | 1 +\n 1 file changed, 1 insertion(+)\n")
        thread.mail("r", "Re: [GIT PULL] watchdog fixes", replyTo: "pr", body: "Pulled, thanks.\n")
        #expect(SeriesAssembler(messages: thread.messages).select() == .noPatches)
    }

    @Test func missingSlotsAreReported() throws {
        var thread = Thread()
        thread.mail("c", "[PATCH v3 0/3] x", from: Thread.author, body: "Cover.\n")
        thread.patch("p3", "[PATCH v3 3/3] c", replyTo: "c")
        let series = try thread.series()
        #expect(series.revision == 3)
        #expect(series.total == 3)
        #expect(!series.isComplete)
        #expect(series.missing == [1, 2])
        #expect(series.patches.map(\.index) == [3])
    }

    @Test func newestRevisionWinsAndOthersAreListed() throws {
        var thread = Thread()
        thread.patch("a1", "[PATCH 1/2] a")
        thread.patch("a2", "[PATCH 2/2] b", replyTo: "a1")
        thread.patch("b1", "[PATCH v2 1/2] a", replyTo: "a1")
        thread.patch("b2", "[PATCH v2 2/2] b", replyTo: "b1")
        let series = try thread.series()
        #expect(series.revision == 2)
        #expect(series.otherVersions == [1])
        #expect(try thread.series(version: 1).patches.map(\.message.messageID) == ["a1", "a2"])
        #expect(SeriesAssembler(messages: thread.messages).select(version: 7) == .noSuchVersion(7, available: [1, 2]))
    }

    @Test func partialRerollKeepsTheOtherSlots() throws {
        var thread = Thread()
        thread.patch("a1", "[PATCH 1/2] a")
        thread.patch("a2", "[PATCH 2/2] b", replyTo: "a1")
        thread.patch("b2", "[PATCH v2 2/2] b", replyTo: "a2")
        let series = try thread.series()
        #expect(series.revision == 2)
        #expect(series.isComplete)
        #expect(series.patches.map(\.message.messageID) == ["a1", "b2"])
        #expect(series.patches.map(\.rerolledFrom) == [1, nil])
        #expect(series.rerolledFrom == 1)
    }

    @Test func unrelatedSeriesAreListedApartAndMsgidPicks() throws {
        var thread = Thread()
        thread.patch("x1", "[PATCH 1/2] x: one")
        thread.patch("x2", "[PATCH 2/2] x: two", replyTo: "x1")
        thread.patch("y1", "[PATCH] y: only", from: MailAddress(name: "Bob", email: "bob@example.org"))
        thread.mail("yr", "Re: [PATCH] y: only", replyTo: "y1", body: "Nice.\n")
        let assembler = SeriesAssembler(messages: thread.messages)
        #expect(assembler.candidates.count == 2)
        #expect(try thread.series().patches.map(\.message.messageID) == ["y1"])
        #expect(try thread.series(messageID: "<x2>").patches.map(\.message.messageID) == ["x1", "x2"])
        // A reply selects the series it answers.
        #expect(try thread.series(messageID: "yr").patches.map(\.message.messageID) == ["y1"])
        #expect(assembler.select(messageID: "nope@example") == .noSuchMessage("nope@example"))
        #expect(try thread.series().otherVersions == [])
    }

    @Test func missingEmptyAndDuplicatedMessageIDsDoNotBreakThreading() throws {
        var thread = Thread()
        thread.mail("c", "[PATCH 0/2] x", from: Thread.author, body: "Cover.\n")
        thread.patch("", "[PATCH 1/2] a", replyTo: "c")   // empty Message-ID
        thread.patch(nil, "[PATCH 2/2] b", replyTo: "c")  // none at all
        thread.mail("c", "Re: [PATCH 0/2] x", replyTo: "c", body: "Reviewed-by: Rita Reviewer <rita@example.org>\n")
        let series = try thread.series()
        #expect(series.isComplete)
        #expect(series.cover?.message.subject == "[PATCH 0/2] x")
        // The duplicate id is the second copy, dropped as b4 does: no trailer.
        #expect(series.patches.allSatisfy { $0.collectedTrailers.isEmpty })
    }

    @Test func diffstatOnlyParentIsTheCoverLetter() throws {
        var thread = Thread()
        thread.mail("c", "[PATCH v2] wdt: intro", from: Thread.author,
                    body: "Intro.\n\n a | 1 +\n 1 file changed, 1 insertion(+)\n")
        thread.patch("p1", "[PATCH v2 1/1] wdt: fix", replyTo: "c")
        let series = try thread.series()
        #expect(series.cover?.message.messageID == "c")
    }

    @Test func unthreadedPiecesOfOnePostingAreJoined() throws {
        var thread = Thread()
        thread.patch("u1", "[PATCH v2 1/2] a")
        thread.patch("u2", "[PATCH v2 2/2] b")
        let series = try thread.series()
        #expect(series.isComplete)
        #expect(series.patches.map(\.message.messageID) == ["u1", "u2"])
    }
}
