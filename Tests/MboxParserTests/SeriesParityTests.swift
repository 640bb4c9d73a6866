import Foundation
import Testing
@testable import MboxParser

/// What `b4 am` made of one fixture (recorded by scripts/b4-golden).
struct B4Golden: Decodable, Sendable, CustomStringConvertible {
    struct GoldenPatch: Decodable, Sendable {
        let title: String
        let reviewedBy: [String]
        let ackedBy: [String]
        let testedBy: [String]

        enum CodingKeys: String, CodingKey {
            case title
            case reviewedBy = "Reviewed-by"
            case ackedBy = "Acked-by"
            case testedBy = "Tested-by"
        }
    }

    let fixture: String
    let result: String
    let version: Int?
    let missing: [Int]?
    let patches: [GoldenPatch]?

    var description: String { fixture }

    static func all() throws -> [B4Golden] {
        let names = try FileManager.default.contentsOfDirectory(atPath: FixturePaths.b4Goldens.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map {
            try JSONDecoder().decode(B4Golden.self, from: Data(contentsOf: FixturePaths.b4Goldens.appendingPathComponent($0)))
        }
    }
}

/// Our deliberate differences from b4, one per fixture, each with the reason (mirrored in
/// DIFFERENCES-b4.md) and what we produce instead, so the exception is itself checked.
struct KnownDifference: Sendable {
    let reason: String
    let version: Int?
    let titles: [String]?
    let missing: [Int]?
}

let knownDifferences: [String: KnownDifference] = [
    // Comma-separated prefix groups: b4 splits tags on spaces only and sees no counter.
    "linux-mailinglist-archives__linux-watchdog/thread-PATCH-V9-RESEND-comma-prefix.mbox": KnownDifference(
        reason: "commas separate tags: [PATCH V9,RESEND,0/2] is v9, patches 1 and 2 of 2",
        version: 9,
        titles: ["watchdog: mtk: support pre-timeout when the bark irq is available",
                 "doc: mtk-wdt: support pre-timeout when the bark irq is available"],
        missing: []),
    "getpatchwork__patchwork/series/base-no-references.mbox": KnownDifference(
        reason: "commas separate tags: [net,v2,1/2] is v2 1/2, so the two unthreaded patches keep their order",
        version: 2,
        titles: ["net: ieee802154: remove explicit set skb->sk",
                 "net: ieee802154: fix net_device reference release too early"],
        missing: []),
    "getpatchwork__patchwork/series/revision-unlabeled-noreferences.mbox": KnownDifference(
        reason: "commas separate tags; the same v2 posted twice is two postings, the newer one is chosen",
        version: 2,
        titles: ["net: ieee802154: remove explicit set skb->sk",
                 "net: ieee802154: fix net_device reference release too early"],
        missing: []),
    // Mercurial patchbomb counters.
    "getpatchwork__patchwork/series/mercurial-cover-letter.mbox": KnownDifference(
        reason: "[PATCH 1 of 2] is Mercurial's counter: one series of two, not two revisions",
        version: 1,
        titles: ["contrib: fix check-commit to not reject commits from `hg sign` and `hg tag`",
                 "tests: work around FreeBSD's unzip having slightly different output"],
        missing: []),
    "getpatchwork__patchwork/series/mercurial-no-cover-letter.mbox": KnownDifference(
        reason: "[PATCH 1 of 2] is Mercurial's counter: one series of two, not two revisions",
        version: 1,
        titles: ["contrib: fix check-commit to not reject commits from `hg sign` and `hg tag`",
                 "tests: work around FreeBSD's unzip having slightly different output"],
        missing: []),
    // Raw 8-bit UTF-8 in a header: b4 reads it as something else and writes mojibake.
    "getpatchwork__patchwork/mail/0014-with-unencoded-utf8-headers.mbox": KnownDifference(
        reason: "an unencoded UTF-8 Subject is read as UTF-8 (b4 writes mojibake)",
        version: 1,
        titles: ["MAINTAINERS: Update entry for BCM5301X ARM to include Rafał Miłecki"],
        missing: []),
    // The same slot posted more than once.
    "getpatchwork__patchwork/series/bugs-spamming.mbox": KnownDifference(
        reason: "three unthreaded copies of 1/4 are three postings, not extra patches of one series",
        version: 2,
        titles: ["Rework tagging infrastructure"],
        missing: [2, 3, 4]),
    "git__git/quoted-cr.mbox": KnownDifference(
        reason: "two unthreaded single patches are two series, not a two-patch series",
        version: 2,
        titles: ["sample"],
        missing: []),
    // Patches sent as attachments: b4 (without --single-message) reads only the first text
    // part; the mail reader appends patch attachments the way git mailinfo does, so a
    // maintainer can review them.
    "linux-mailinglist-archives__linux-watchdog/single-multipart-mixed-attachment__147a9377a15a6353554e35010846b24e94ccaf10.eml": KnownDifference(
        reason: "the patch is an application/octet-stream attachment; b4 sees no patch",
        version: 1,
        titles: ["watchdog: it87_wdt: add support for IT8733"],
        missing: []),
    "nojb__public-inbox/attached-mbox-with-utf8.eml": KnownDifference(
        reason: "the patch is a base64 attachment; b4 sees no patch",
        version: 1,
        titles: ["attached mbox with UTF-8 patch"],
        missing: []),
    "patchew-project__patchew/0038-octet-stream.mbox": KnownDifference(
        reason: "the patch is an application/octet-stream attachment; b4 sees no patch",
        version: 1,
        titles: ["qapi: fix example of BLOCK_IMAGE_CORRUPTED event"],
        missing: [1, 2] + Array(4...15)),
]

@Suite struct SeriesParityTests {
    @Test(arguments: try B4Golden.all())
    func agreesWithB4(_ golden: B4Golden) throws {
        let messages = try FixturePaths.messages(golden.fixture)
        let selection = SeriesAssembler(messages: messages).select()
        switch golden.result {
        case "b4-error":
            // b4 could not read it (no Message-ID, not mail): nothing to compare, but we must
            // not crash and must not invent a series out of nothing.
            if case .found(let series) = selection { #expect(!series.patches.isEmpty) }
        case "no-patches":
            if let known = knownDifferences[golden.fixture] {
                guard case .found(let series) = selection else {
                    Issue.record("\(golden.fixture): \(known.reason), but no series was found")
                    return
                }
                #expect(series.revision == known.version, "\(known.reason)")
                #expect(series.patches.map(\.commitTitle) == known.titles, "\(known.reason)")
                #expect(series.missing == known.missing, "\(known.reason)")
                return
            }
            #expect(selection == .noPatches, "b4 found no patches in \(golden.fixture)")
        default:
            guard case .found(let series) = selection else {
                Issue.record("no series in \(golden.fixture); b4 found one")
                return
            }
            let titles = series.patches.map(\.commitTitle)
            if let known = knownDifferences[golden.fixture] {
                #expect(series.revision == known.version, "\(known.reason)")
                #expect(titles == known.titles, "\(known.reason)")
                #expect(series.missing == known.missing, "\(known.reason)")
                return
            }
            #expect(series.revision == golden.version)
            #expect(titles == golden.patches?.map(\.title))
            #expect(series.missing == (golden.missing ?? []))
            for (patch, expected) in zip(series.patches, golden.patches ?? []) {
                func values(_ name: String) -> [String] {
                    Set(patch.trailers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)).sorted()
                }
                #expect(values("Reviewed-by") == expected.reviewedBy, "\(patch.index): \(patch.subject.title)")
                #expect(values("Acked-by") == expected.ackedBy, "\(patch.index): \(patch.subject.title)")
                #expect(values("Tested-by") == expected.testedBy, "\(patch.index): \(patch.subject.title)")
            }
        }
    }

    @Test func everyKnownDifferenceIsStillADifference() throws {
        let goldens = Dictionary(uniqueKeysWithValues: try B4Golden.all().map { ($0.fixture, $0) })
        for (fixture, known) in knownDifferences {
            let golden = try #require(goldens[fixture], "no b4 golden for \(fixture)")
            let same = golden.version == known.version && golden.patches?.map(\.title) == known.titles
            #expect(!same, "b4 now agrees on \(fixture); drop the exception")
        }
    }
}
