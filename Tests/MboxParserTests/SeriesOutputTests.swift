import Foundation
import Testing
@testable import MboxParser

private func series(_ fixture: String) throws -> PatchSeries {
    guard case .found(let found) = SeriesAssembler(messages: try FixturePaths.messages(fixture)).select() else {
        throw OutputTestError.noSeries(fixture)
    }
    return found
}

private enum OutputTestError: Error { case noSeries(String) }

/// The trailer block (last paragraph above `---`) of every message in an mbox text.
private func trailerBlocks(_ mbox: String) -> [[String]] {
    mbox.components(separatedBy: "\nFrom ").dropFirst(0).compactMap { message -> [String]? in
        guard let start = message.range(of: "\n\n") else { return nil }
        let body = message[start.upperBound...]
        let commit = body.components(separatedBy: "\n---\n").first ?? ""
        let cut = commit.range(of: "\ndiff --git").map { String(commit[..<$0.lowerBound]) } ?? String(commit)
        let paragraphs = cut.trimmingCharacters(in: .newlines).components(separatedBy: "\n\n")
        return paragraphs.last.map { $0.split(separator: "\n").map(String.init) }
    }
}

@Suite struct SeriesOutputTests {
    /// Our JSON for real threads, recorded beside the fixtures; REVIEWBOT_RECORD=1 rewrites.
    @Test(arguments: [
        "linux-mailinglist-archives__linux-watchdog/thread-exynos850-wdt-v2.mbox",
        "linux-mailinglist-archives__netfilter-devel/thread-iptables-partial-reroll-v2-4of4.mbox",
        "linux-mailinglist-archives__netfilter-devel/thread-incomplete-bpf-next-v3-1of3-present.mbox",
    ])
    func jsonMatchesGolden(_ fixture: String) throws {
        let rendered = try series(fixture).json.rendered() + "\n"
        let name = fixture.replacingOccurrences(of: "/", with: "__") + ".json"
        let golden = FixturePaths.testsDirectory.appendingPathComponent("Golden/series").appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["REVIEWBOT_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(rendered.utf8).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(rendered == expected)
    }

    @Test func jsonKeysComeInTheIssueOrder() throws {
        let rendered = try series("linux-mailinglist-archives__netfilter-devel/thread-kfree-skb-reason-v2-net-next.mbox").json.rendered()
        let top = ["version", "total", "complete", "missing", "rfc", "resend", "prefixes", "cover", "otherVersions", "patches"]
        let positions = top.map { rendered.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(rendered.contains("\"prefixes\": [\n    \"net-next\"\n  ]"))
        let patchKeys = ["index", "total", "messageId", "subject", "title", "author", "date", "trailers", "files"]
        let firstPatch = rendered[rendered.range(of: "\"patches\"")!.upperBound...]
        let patchPositions = patchKeys.map { firstPatch.range(of: "\"\($0)\":")!.lowerBound }
        #expect(patchPositions == patchPositions.sorted())
    }

    /// b4's own expected output for its follow-up test (minus the Signed-off-by it adds for
    /// the user, which reviewbot never does).
    @Test(arguments: [
        ("mricon__b4/trailers-followup-with-cover.mbox", "mricon__b4/trailers-followup-with-cover-ref-defaults.txt"),
        ("mricon__b4/trailers-followup-partial-reroll.mbox", "mricon__b4/trailers-followup-partial-reroll-ref-defaults.txt"),
    ])
    func exportPutsTrailersWhereB4Does(_ fixture: String, _ reference: String) throws {
        let exported = try series(fixture).gitAmMbox
        let expected = try String(contentsOf: FixturePaths.fixture(reference), encoding: .utf8)
        let b4Blocks = trailerBlocks(expected).map { $0.filter { !$0.contains("Test Override") } }
        #expect(b4Blocks.count == 2 && b4Blocks.allSatisfy { $0.count >= 2 })
        #expect(trailerBlocks(exported) == b4Blocks)
        #expect(exported.hasPrefix("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"))
    }

    @Test func exportKeepsTheDiffIntact() throws {
        let found = try series("linux-mailinglist-archives__linux-watchdog/thread-rzg2l-wdt-RESEND-v8.mbox")
        let exported = found.gitAmMbox
        #expect(exported.components(separatedBy: "\nSubject: [PATCH v8 ").count - 1 == 10)
        for patch in found.patches {
            let diff = patch.message.bodyText.range(of: "\ndiff --git").map { patch.message.bodyText[$0.lowerBound...] }
            #expect(diff.map { exported.contains($0) } == true, "diff of \(patch.index) altered")
        }
        #expect(exported.contains("Reviewed-by: Geert Uytterhoeven <geert+renesas@glider.be>"))
    }

    @Test func listingNamesMissingSlotsAndTrailers() throws {
        let listing = try series("linux-mailinglist-archives__linux-watchdog/thread-v3.1-fractional-version.mbox").listing
        #expect(listing.hasPrefix("v3.1: 2 of 8 patches, INCOMPLETE\n"))
        #expect(listing.contains("  [1/8] MISSING\n"))
        #expect(listing.contains("      + Acked-by: Conor Dooley <conor.dooley@microchip.com>\n"))
        #expect(listing.contains("missing: 1, 4, 5, 6, 7, 8\n"))
        let reroll = try series("linux-mailinglist-archives__netfilter-devel/thread-nft-partial-reroll-2of2-v2.mbox").listing
        #expect(reroll.contains("(from v1)"))
        #expect(reroll.contains("other versions: v1\n"))
    }
}
