import Foundation
import GitFixtures
import Testing
@testable import KernelTree

@Suite("Task context from the tree")
struct ContextTests {
    func firstPatchContext(budget: Int = 50_000, depth: Int = 1, base: Bool = true) throws -> (TreeContext, SampleSeries) {
        let sample = try SampleSeries()
        let mails = base ? sample.sample.patchesWithBase : sample.sample.patches
        let session = try TreeSession.prepare(tree: try sample.open(), series: try SampleSeries.inputs(mails),
                                              coverBaseCommit: nil, userBase: nil)
        let request = try SampleSeries.requests(mails)[0]
        let context = try #require(session.context(for: request, options: ContextOptions(budgetTokens: budget, callerDepth: depth)))
        return (context, sample)
    }

    @Test("the whole changed function is there, with the allocation far above the hunk")
    func wholeFunction() throws {
        let (context, _) = try firstPatchContext()
        let probe = try #require(context.sections.first { $0.title.hasPrefix("foo_probe() in drivers/misc/foo/foo_core.c") && $0.title.hasSuffix("after the patch") })
        #expect(probe.kind == .function)
        #expect(probe.text.contains("priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);"))
        #expect(probe.text.contains("ret = foo_hw_enable(priv);"))
        #expect(probe.text.hasSuffix("}\n"))
        // The allocation is more than 40 lines above the first changed line.
        let lines = probe.text.split(separator: "\n")
        let allocation = try #require(lines.firstIndex { $0.contains("devm_kzalloc") })
        let change = try #require(lines.firstIndex { $0.contains("foo_hw_enable(priv)") })
        #expect(change - allocation > 40)
        let before = try #require(context.sections.first { $0.title.hasPrefix("foo_probe()") && $0.title.hasSuffix("before the patch") })
        #expect(!before.text.contains("foo_hw_enable"))
        #expect(context.sections.contains { $0.title.hasPrefix("foo_remove() in") && $0.kind == .function })
    }

    @Test("the private struct the changed lines reach through priv-> is defined")
    func structDefinition() throws {
        let (context, _) = try firstPatchContext()
        let definition = try #require(context.sections.first { $0.title.hasPrefix("struct foo_priv in drivers/misc/foo/foo.h") })
        #expect(definition.kind == .definition)
        #expect(definition.text.contains("unsigned int flags;"))
        #expect(context.sections.contains { $0.title.hasPrefix("FOO_CTRL_RESET in drivers/misc/foo/foo.h") })
        // A macro the patch series adds later is not in this patch's tree.
        #expect(!context.sections.contains { $0.text.contains("#define FOO_FLAG_READY") })
    }

    @Test("the callers of the changed function: a direct call and .remove initialisers, with their functions")
    func callers() throws {
        let (context, _) = try firstPatchContext()
        let callers = try #require(context.sections.first { $0.title.hasPrefix("callers of foo_remove()") })
        #expect(callers.kind == .caller)
        #expect(callers.text.contains("drivers/misc/foo/foo_glue.c:7, in foo_glue_shutdown(), call:"))
        #expect(callers.text.contains("drivers/misc/foo/foo_glue.c:11, in initialiser of foo_glue_driver, reference:"))
        #expect(callers.text.contains("drivers/misc/foo/foo_core.c:"))
        #expect(callers.text.contains("in initialiser of foo_driver, reference:"))
        #expect(!callers.text.contains("EXPORT_SYMBOL"))
        #expect(context.callers.contains("drivers/misc/foo/foo_glue.c:7 in foo_glue_shutdown()"))
        // foo_probe is reached only through the driver struct.
        let probeCallers = try #require(context.sections.first { $0.title.hasPrefix("callers of foo_probe()") })
        #expect(probeCallers.text.contains(".probe = foo_probe,"))
    }

    @Test("depth 2 follows the callers' callers")
    func depthTwo() throws {
        let (one, _) = try firstPatchContext(depth: 1)
        let (two, _) = try firstPatchContext(depth: 2)
        #expect(!one.sections.contains { $0.title.contains("which calls foo_remove()") })
        #expect(two.sections.contains { $0.title.hasPrefix("callers of foo_glue_shutdown(), which calls foo_remove()") })
    }

    @Test("the static helper the changed lines call is shown whole")
    func helper() throws {
        let (context, _) = try firstPatchContext()
        let helper = try #require(context.sections.first { $0.kind == .helper })
        #expect(helper.title.hasPrefix("foo_hw_enable() in drivers/misc/foo/foo_core.c:7-14"))
        #expect(helper.text.contains("val |= FOO_CTRL_EN;"))
    }

    @Test("a small budget keeps the functions after the patch first and names what it left out")
    func budget() throws {
        let (full, _) = try firstPatchContext(budget: 100_000)
        #expect(full.omitted.isEmpty)
        let (small, _) = try firstPatchContext(budget: 1_200)
        #expect(small.sections.first?.title.hasPrefix("foo_probe()") == true)
        #expect(small.sections.reduce(0) { $0 + $1.tokens } <= 1_200)
        // The long probe before the patch is the first thing not to fit; smaller sections
        // after it still do, in priority order, until the budget is spent.
        #expect(small.omitted.first == "foo_probe() in drivers/misc/foo/foo_core.c:24-100, before the patch")
        #expect(small.omitted.contains { $0.hasPrefix("foo_hw_enable()") })
        #expect(small.sections.contains { $0.title.hasPrefix("callers of foo_remove()") })
        // Every section of the full context is either shown or named by its title.
        for section in full.sections {
            #expect(small.sections.contains(section) || small.omitted.contains(section.title))
        }
        #expect(small.sections.count + small.omitted.count == full.sections.count)
    }

    @Test("the same input gives the same bytes, cold or warm, with or without a base-commit line")
    func deterministic() throws {
        let (first, _) = try firstPatchContext()
        let (second, _) = try firstPatchContext()
        let (guessed, _) = try firstPatchContext(base: false)
        #expect(first == second)
        #expect(first == guessed)
    }
}
