import Foundation
import Testing
@testable import MboxParser

@Suite struct MailboxScanTests {
    @Test func countsAndJSONShape() throws {
        let result = try MailboxScan.scan(path: Fixtures.path("linux-mailinglist-archives__netfilter-devel/thread-nft-partial-reroll-2of2-v2.mbox"))
        // cover letter + 1/2 + 2/2 + a reply + 2/2 v2: v1, and the v2 partial reroll.
        #expect(result.json == #"{"messages": 5, "patches": 3, "series": 2, "errors": 0, "warnings": 0}"#)
    }

    @Test func patchPredicateFollowsB4() throws {
        let cover = try Fixtures.message("linux-mailinglist-archives__linux-watchdog/single-range-diff-cover__b059492845bcd4b5fe7e8b8ed04b85e3cb7d5636.eml")
        #expect(!MailboxScan.holdsPatch(cover), "a cover letter with a range-diff is not a patch")
        let quilt = try Fixtures.message("linux-mailinglist-archives__linux-watchdog/single-non-git-quilt-diff__c4ee5b108e432973daa0ccef2cbec9f1d24a8c66.eml")
        #expect(MailboxScan.holdsPatch(quilt))
        let pull = try Fixtures.message("getpatchwork__patchwork/mail/0001-git-pull-request.mbox")
        #expect(!MailboxScan.holdsPatch(pull))
        let binary = try Fixtures.message("nojb__public-inbox/binary.patch")
        #expect(MailboxScan.holdsPatch(binary))
    }

    /// The scan keeps only outlines of the mail (to stay within its memory bound); it must
    /// still find the series that assembly over the full messages finds.
    @Test(arguments: Fixtures.mailFiles)
    func seriesCountAgreesWithFullAssembly(_ file: String) throws {
        let scanned = try MailboxScan.scan(path: Fixtures.path(file))
        let full = try SeriesMessage.read(path: Fixtures.path(file)).messages
        #expect(scanned.series == SeriesAssembler(messages: full).candidates.count, "\(file)")
    }

    @Test func wholeFixtureTreeReadsWithoutErrors() throws {
        let result = try MailboxScan.scan(path: Fixtures.root.path)
        var expected = 0
        for file in Fixtures.mailFiles { expected += try Fixtures.read(Fixtures.path(file)).count }
        #expect(result.messages == expected)
        #expect(result.errors.isEmpty)
        #expect(result.patches > 100)
    }
}
