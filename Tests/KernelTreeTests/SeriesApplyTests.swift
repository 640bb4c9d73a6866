import Foundation
import GitFixtures
import Testing
@testable import KernelTree

@Suite("Applying a series to a tree")
struct SeriesApplyTests {
    @Test("a base-commit line names the base; every patch applies, each on the ones before")
    func baseCommitLine() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let series = try SampleSeries.inputs(sample.sample.patchesWithBase)
        let session = try TreeSession.prepare(tree: tree, series: series, coverBaseCommit: nil, userBase: nil)
        #expect(session.applied.base.source == .baseCommitLine)
        #expect(session.applied.base.commit == sample.sample.base)
        #expect(session.applied.base.description.hasPrefix("base-commit \(sample.sample.base.prefix(12))"))
        #expect(session.applied.notApplied.isEmpty)
        #expect(session.applied.trees.count == 3)
        #expect(Set(session.applied.trees).count == 3)
        // Each patch sees the ones before it: after patch 3 foo_core.c still has patch 1.
        let after3 = session.readFile(file: SampleDriverRepository.core, start: 1, end: 200, patchIndex: 2, base: false)
        #expect(after3.text.contains("foo_hw_enable(priv);\n") && after3.text.contains("FOO_FLAG_READY"))
        let base = session.readFile(file: SampleDriverRepository.core, start: 1, end: 200, patchIndex: 2, base: true)
        #expect(!base.text.contains("FOO_FLAG_READY"))
    }

    @Test("without base-commit the blob ids find the base, not the newer HEAD")
    func blobGuess() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let series = try SampleSeries.inputs(sample.sample.patches)
        #expect(series.allSatisfy { $0.baseCommit == nil })
        let base = try tree.chooseBase(series: series, coverBaseCommit: nil, userBase: nil)
        #expect(base.source == .blobGuess)
        #expect(base.commit == sample.sample.base)
        #expect(base.commit != sample.sample.later)
        #expect(base.description.contains("pre-image blobs match"))
    }

    @Test("--base is used when the series names no base; a base-commit line wins over it; a bad one is an error")
    func userBase() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let plain = try SampleSeries.inputs(sample.sample.patches)
        let chosen = try tree.chooseBase(series: plain, coverBaseCommit: nil, userBase: sample.sample.initial)
        #expect(chosen.source == .userGiven)
        #expect(chosen.commit == sample.sample.initial)

        let withBase = try SampleSeries.inputs(sample.sample.patchesWithBase)
        let line = try tree.chooseBase(series: withBase, coverBaseCommit: nil, userBase: "main")
        #expect(line.source == .baseCommitLine)
        #expect(line.description.contains("--base main not used"))

        #expect(throws: KernelTreeError.self) {
            try tree.chooseBase(series: plain, coverBaseCommit: nil, userBase: "no-such-branch")
        }
    }

    @Test("a base-commit the repository lacks falls back to the blob guess and says so")
    func unknownBaseCommit() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let series = try SampleSeries.inputs(sample.sample.patches)
        let base = try tree.chooseBase(series: series, coverBaseCommit: String(repeating: "ab", count: 20), userBase: nil)
        #expect(base.source == .blobGuess)
        #expect(base.description.contains("is not in the repository"))
    }

    @Test("with no base line and no blob ids, HEAD with a 3-way apply")
    func head() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let mails = sample.sample.patches.map { mail in
            mail.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("index ") }
                .joined(separator: "\n")
        }
        let series = try SampleSeries.inputs(mails)
        let session = try TreeSession.prepare(tree: tree, series: series, coverBaseCommit: nil, userBase: nil)
        #expect(session.applied.base.source == .head)
        #expect(session.applied.base.commit == sample.sample.later)
        #expect(session.applied.notApplied.isEmpty)
    }

    @Test("a patch that does not apply is named with git's reason; later patches still apply")
    func notApplied() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        var mails = sample.sample.patchesWithBase
        mails[1] = mails[1].replacingOccurrences(of: " \tfoo_remove(pdev);\n", with: " \tfoo_remove(dev);\n")
        let session = try TreeSession.prepare(tree: tree, series: try SampleSeries.inputs(mails),
                                              coverBaseCommit: nil, userBase: nil)
        #expect(Array(session.applied.notApplied.keys) == [1])
        let reason = session.applied.notApplied[1] ?? ""
        #expect(reason.contains("foo_glue.c") && reason.contains("does not apply"))
        // Patch 2 left the tree as patch 1 made it; patch 3 applied on top.
        #expect(session.applied.trees[1] == session.applied.trees[0])
        #expect(session.applied.trees[2] != session.applied.trees[1])
        let requests = try SampleSeries.requests(mails)
        #expect(session.context(for: requests[1], options: ContextOptions(budgetTokens: 20_000)) == nil)
        #expect(session.context(for: requests[2], options: ContextOptions(budgetTokens: 20_000)) != nil)
        #expect(session.context(for: requests[0], options: ContextOptions(budgetTokens: 20_000)) != nil)
    }

    @Test("paths from a patch that leave the tree are refused before git sees them")
    func badPaths() throws {
        #expect(TreePath.problem("../etc/passwd") != nil)
        #expect(TreePath.problem("/etc/passwd") != nil)
        #expect(TreePath.problem("a/.git/config") != nil)
        #expect(TreePath.problem(":(glob)*") != nil)
        #expect(TreePath.problem("drivers/misc/foo/foo.c") == nil)
    }

    @Test("the repository is left exactly as it was: status, refs, HEAD, index, worktrees, objects")
    func readOnly() throws {
        let sample = try SampleSeries()
        let before = try sample.sample.fixture.snapshot()
        let tree = try sample.open()
        var mails = sample.sample.patchesWithBase
        mails[1] = mails[1].replacingOccurrences(of: " \tfoo_remove(pdev);\n", with: " \tfoo_remove(dev);\n")
        for series in [mails, sample.sample.patches] {
            let session = try TreeSession.prepare(tree: tree, series: try SampleSeries.inputs(series),
                                                  coverBaseCommit: nil, userBase: nil)
            for request in try SampleSeries.requests(series) {
                _ = session.context(for: request, options: ContextOptions(budgetTokens: 50_000, callerDepth: 2))
            }
            _ = session.grep(pattern: "foo_(remove|probe)", path: nil, patchIndex: 0)
            _ = session.readFunction(name: "foo_probe", file: nil, patchIndex: 2, base: false)
            _ = session.findCallers(name: "foo_remove", patchIndex: 0)
        }
        let after = try sample.sample.fixture.snapshot()
        #expect(after == before)
    }
}
