import Foundation
import Testing
@testable import PromptLibrary

@Suite struct MatchingTests {
    static let renesas = "linux-mailinglist-archives__linux-watchdog/thread-single-patch-renesas-wdt-reviewed-applied.mbox"
    static let netfilterFixes = "linux-mailinglist-archives__netfilter-devel/thread-netfilter-fixes-for-net-pull-with-pwbot.mbox"
    static let bpfNext = "linux-mailinglist-archives__netfilter-devel/thread-incomplete-bpf-next-v3-1of3-present.mbox"
    static let exynos = "linux-mailinglist-archives__linux-watchdog/thread-exynos850-wdt-v1.mbox"
    static let kfreeSkbReason = "linux-mailinglist-archives__netfilter-devel/thread-kfree-skb-reason-v2-net-next.mbox"

    let library: PromptLibrary

    init() throws { library = try PromptLibrary.load() }

    func names(_ patch: NamedPatchFacts) -> Set<String> { Set(library.matches(for: patch.facts).map(\.file.name)) }

    /// The patch adds clock calls, a delay and a polled read to a restart handler; its
    /// probe signature and runtime PM calls are unchanged context, so neither driver-core
    /// nor runtime-pm-balance is chosen for it.
    @Test func watchdogDriverPatchMatchesWhatItChanges() throws {
        let patch = try #require(try FixturePatches.load(Self.renesas).first)
        let matched = names(patch)
        #expect(matched.isSuperset(of: ["watchdog", "sleep-in-atomic", "err-ptr-null", "error-path-leaks"]))
        #expect(!matched.contains("driver-core"))
        #expect(!matched.contains("runtime-pm-balance"))
        #expect(!matched.contains("sound"))
        #expect(!matched.contains("networking"))
        let watchdog = try #require(library.matches(for: patch.facts).first { $0.file.name == "watchdog" })
        #expect(watchdog.hits.first?.description == "line 5: path drivers/watchdog/** -> drivers/watchdog/renesas_wdt.c")
        let atomic = try #require(library.matches(for: patch.facts).first { $0.file.name == "sleep-in-atomic" })
        #expect(atomic.hits.contains { $0.source == .commitMessage && $0.text == "atomic context" })
    }

    @Test func netfilterPatchesMatchNetworkingAndNetfilter() throws {
        let patches = try FixturePatches.load(Self.netfilterFixes)
        let kernelPatches = patches.filter { $0.facts.paths.contains { $0.hasPrefix("net/") } }
        #expect(kernelPatches.count >= 3)
        for patch in kernelPatches {
            #expect(names(patch).isSuperset(of: ["networking", "netfilter"]), "\(patch.title)")
            #expect(!names(patch).contains("watchdog"))
        }
    }

    @Test func soundPatchMatchesSoundErrorPathAndDisconnect() {
        let matched = names(FixturePatches.syntheticSound)
        #expect(matched.isSuperset(of: ["sound", "usb", "error-path-leaks", "disconnect-races"]))
        #expect(!matched.contains("networking"))
    }

    @Test func syzbotTagSelectsSyzkallerMode() {
        var facts = FixturePatches.syntheticSound.facts
        #expect(!library.matches(for: facts).map(\.file.name).contains("syzkaller"))
        facts.commitMessage += "\n\nReported-by: syzbot+0123abcd@syzkaller.appspotmail.com"
        #expect(library.matches(for: facts).map(\.file.name).contains("syzkaller"))
    }

    @Test func matchesAreFocusedNotEverything() throws {
        let total = library.files.filter { !$0.triggers.isEmpty }.count
        for patch in try FixturePatches.load(Self.renesas) + FixturePatches.load(Self.netfilterFixes) {
            #expect(library.matches(for: patch.facts).count <= total / 2, "\(patch.title)")
        }
    }

    /// The prefix shared by every task of a typical patch must be worth caching (the
    /// API caches nothing below ~1024 tokens) without carrying unrelated material.
    @Test func watchdogPatchPrefixIsBetween3kAnd12kTokens() throws {
        let patch = try #require(try FixturePatches.load(Self.renesas).first)
        let prefix = try library.reviewPrefix(for: patch.facts)
        #expect((3000...12000).contains(prefix.estimatedTokens), "prefix is \(prefix.estimatedTokens) tokens")
        #expect(prefix.files.prefix(3).map(\.name) == PromptLibrary.prefixGuides)
    }

    /// Golden file of match results for fixture patches; re-record with REVIEWBOT_RECORD=1.
    @Test func matchReportMatchesGolden() throws {
        var patches: [NamedPatchFacts] = []
        for fixture in [Self.renesas, Self.exynos, Self.netfilterFixes, Self.kfreeSkbReason, Self.bpfNext] {
            patches += try FixturePatches.load(fixture).map {
                NamedPatchFacts(title: "\(fixture.split(separator: "/").last!): \($0.title)", facts: $0.facts)
            }
        }
        patches.append(FixturePatches.syntheticSound)
        let report = try library.matchReport(patches)
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden/prompt-matches.txt")
        if ProcessInfo.processInfo.environment["REVIEWBOT_RECORD"] == "1" {
            try report.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(report == expected, "match results changed; check the diff and re-record with REVIEWBOT_RECORD=1")
    }
}
