import Foundation
import GitFixtures
import PromptLibrary
import Testing
@testable import ReviewBotKit
import ReviewEngine

/// The adapter the engine uses: a review prepared the way `reviewbot plan --tree` prepares
/// it (mail reader, series assembly, planner), then the provider's answers per task.
@Suite("The tree as the engine sees it")
struct TreeContextProviderTests {
    let sample: SampleDriverRepository
    let cache: URL

    init() throws {
        sample = try SampleDriverRepository.make()
        cache = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-adapter-\(UUID().uuidString)")
    }

    func prepare(base: Bool, userBase: String? = nil, tree: Bool = true) async throws -> PreparedReview {
        var configuration = Configuration()
        if tree { configuration.tree.path = sample.fixture.path }
        let reader = SourceReader(configuration: configuration,
                                  environment: ["HOME": cache.path, "XDG_CACHE_HOME": cache.path])
        return try await PreparedReview.prepare(ReviewSelection(source: try sample.seriesMbox(base: base).path, base: userBase),
                                                reader: reader, library: try PromptLibrary.load())
    }

    @Test("every task of the changed patch gets the whole function, the struct and both callers")
    func taskContext() async throws {
        defer { cleanUp() }
        let prepared = try await prepare(base: false)
        let provider = try #require(prepared.tree?.provider)
        #expect(provider.summary.baseSource == .blobGuess)
        #expect(provider.summary.baseCommit == sample.base)
        #expect(provider.summary.repository == sample.fixture.path)
        #expect(provider.summary.notApplied.isEmpty)
        let tasks = prepared.plan.tasks.filter { $0.patchIndex == 0 }
        #expect(!tasks.isEmpty)
        var texts: [String] = []
        for task in tasks {
            let context = try #require(await provider.context(for: task, budgetTokens: 20_000))
            texts.append(context.sections.map { "## \($0.title)\n\($0.text)" }.joined())
        }
        let all = texts.joined()
        #expect(all.contains("priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);"))
        #expect(all.contains("## struct foo_priv in drivers/misc/foo/foo.h:13-19"))
        #expect(all.contains("drivers/misc/foo/foo_glue.c:7, in foo_glue_shutdown(), call:"))
        #expect(all.contains("drivers/misc/foo/foo_glue.c:11, in initialiser of foo_glue_driver, reference:"))
    }

    @Test("the base-commit line of the cover letter names the base")
    func coverLetterBase() async throws {
        defer { cleanUp() }
        let prepared = try await prepare(base: true)
        let provider = try #require(prepared.tree?.provider)
        #expect(provider.summary.baseSource == .baseCommitLine)
        #expect(provider.summary.baseDescription.hasSuffix("from the cover letter"))
    }

    @Test("tool calls run against the tree after the task's patch; errors are is_error results")
    func tools() async throws {
        defer { cleanUp() }
        let prepared = try await prepare(base: true)
        let provider = try #require(prepared.tree?.provider)
        let callers = await provider.run(.findCallers(name: "foo_remove"), patchIndex: 1)
        #expect(!callers.isError)
        #expect(callers.text.contains("foo_glue.c:8: in foo_glue_shutdown(), call: foo_remove(pdev);"))
        let function = await provider.run(.readFunction(name: "foo_remove", file: nil, version: .base), patchIndex: 0)
        #expect(function.text.contains("(before the series)"))
        let missing = await provider.run(.readFile(file: "../../etc/passwd", start: nil, end: nil, version: .patched),
                                         patchIndex: 0)
        #expect(missing.isError)
        let badRegex = await provider.run(.grep(pattern: "(", path: nil), patchIndex: 0)
        #expect(badRegex.isError)
        #expect(await provider.exists("foo_hw_enable()", patchIndex: 0))
        #expect(!(await provider.exists("foo_vanish()", patchIndex: 0)))
    }

    @Test("without a tree nothing changes; --base without a tree is a usage error")
    func noTree() async throws {
        defer { cleanUp() }
        let prepared = try await prepare(base: false, tree: false)
        #expect(prepared.tree == nil)
        await #expect(throws: ReviewBotError("--base needs a tree: give --tree PATH or set [tree] path")) {
            _ = try await prepare(base: false, userBase: "main", tree: false)
        }
    }

    @Test("a tree that is not a repository, and a --base git cannot resolve, are usage errors")
    func badTree() async throws {
        defer { cleanUp() }
        var configuration = Configuration()
        configuration.tree.path = cache.path
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let reader = SourceReader(configuration: configuration, environment: ["XDG_CACHE_HOME": cache.path])
        do {
            _ = try await PreparedReview.prepare(ReviewSelection(source: try sample.seriesMbox(base: false).path),
                                                 reader: reader, library: try PromptLibrary.load())
            Issue.record("a directory that is not a repository was accepted")
        } catch let error as ReviewBotError {
            #expect(error.kind == .usage)
            #expect(error.description.contains("is not a git repository"))
        }
        do {
            _ = try await prepare(base: false, userBase: "v99.99")
            Issue.record("an unknown --base was accepted")
        } catch let error as ReviewBotError {
            #expect(error.kind == .usage)
            #expect(error.description.hasPrefix("--base v99.99 is not a commit in"))
        }
    }

    @Test("[tree] path, context_tokens and caller_depth are read from the config file and dumped")
    func configuration() throws {
        defer { cleanUp() }
        var config = Configuration()
        let warnings = try config.apply(toml: """
            [tree]
            path = "/src/linux"
            context_tokens = 8000
            caller_depth = 2
            """, file: "c.toml")
        #expect(warnings.isEmpty)
        #expect(config.tree.path == "/src/linux")
        #expect(config.tree.contextTokens == 8000)
        #expect(config.tree.callerDepth == 2)
        var reread = Configuration()
        _ = try reread.apply(toml: config.dump(environment: [:]), file: "dump")
        #expect(reread.tree == config.tree)
    }

    func cleanUp() {
        sample.fixture.remove()
        try? FileManager.default.removeItem(at: cache)
    }
}
