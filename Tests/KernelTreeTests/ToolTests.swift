import Foundation
import GitFixtures
import Testing
@testable import KernelTree

@Suite("The five context tools")
struct ToolTests {
    let sample: SampleSeries
    let session: TreeSession

    init() throws {
        sample = try SampleSeries()
        session = try TreeSession.prepare(tree: try sample.open(), series: try SampleSeries.inputs(sample.sample.patchesWithBase),
                                          coverBaseCommit: nil, userBase: nil)
    }

    @Test("read_function: the whole function after the patch, or before the series")
    func readFunction() {
        let after = session.readFunction(name: "foo_remove", file: nil, patchIndex: 0, base: false)
        #expect(!after.isError)
        #expect(after.text.hasPrefix("foo_remove() in drivers/misc/foo/foo_core.c:"))
        #expect(after.text.contains("(after patch 1)"))
        #expect(after.text.contains("writel(FOO_CTRL_RESET, priv->regs + FOO_CTRL);"))
        let base = session.readFunction(name: "foo_remove", file: nil, patchIndex: 0, base: true)
        #expect(base.text.contains("(before the series)") && !base.text.contains("FOO_CTRL_RESET"))
        let inFile = session.readFunction(name: "foo_remove", file: SampleDriverRepository.glue, patchIndex: 0, base: false)
        #expect(inFile.isError)
        #expect(inFile.text == "no function foo_remove in drivers/misc/foo/foo_glue.c in the tree (after patch 1)")
        #expect(session.readFunction(name: "no_such_function", file: nil, patchIndex: 0, base: false).isError)
        #expect(session.readFunction(name: "foo; rm -rf /", file: nil, patchIndex: 0, base: false).isError)
    }

    @Test("find_definition: structs, macros, prototypes; a member shows its struct")
    func findDefinition() {
        let priv = session.findDefinition(name: "struct foo_priv", patchIndex: 0)
        #expect(priv.text.hasPrefix("struct foo_priv at drivers/misc/foo/foo.h:13 (after patch 1)\n"))
        #expect(priv.text.contains("unsigned int flags;"))
        let flag = session.findDefinition(name: "FOO_FLAG_READY", patchIndex: 2)
        #expect(flag.text.contains("#define FOO_FLAG_READY"))
        #expect(session.findDefinition(name: "FOO_FLAG_READY", patchIndex: 0).isError)
        let prototype = session.findDefinition(name: "foo_remove", patchIndex: 0)
        #expect(prototype.text.hasPrefix("prototype foo_remove() at drivers/misc/foo/foo.h:"))
        #expect(prototype.text.contains("function foo_remove() at drivers/misc/foo/foo_core.c:"))
        let member = session.findDefinition(name: "flags", patchIndex: 0)
        #expect(member.text.contains("struct foo_priv (holds flags)"))
        #expect(session.findDefinition(name: "struct", patchIndex: 0).isError)
    }

    @Test("find_callers: each site with its line, function and text")
    func findCallers() {
        let answer = session.findCallers(name: "foo_remove", patchIndex: 1)
        #expect(!answer.isError)
        let lines = answer.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "3 call sites of foo_remove (after patch 2):")
        #expect(lines.contains("drivers/misc/foo/foo_glue.c:8: in foo_glue_shutdown(), call: foo_remove(pdev);"))
        #expect(lines.contains("drivers/misc/foo/foo_glue.c:12: in initialiser of foo_glue_driver, reference: .remove = foo_remove,"))
        #expect(lines.contains { $0.hasPrefix("drivers/misc/foo/foo_core.c:") && $0.hasSuffix("in initialiser of foo_driver, reference: .remove = foo_remove,") })
        #expect(session.findCallers(name: "nothing_like_this", patchIndex: 0).isError)
    }

    @Test("grep: matches as file:line:text; a bad regex and a path outside the tree are errors")
    func grep() {
        let answer = session.grep(pattern: "foo_(remove|probe)\\(", path: "drivers/misc/foo/foo_glue.c", patchIndex: 0)
        #expect(answer.text == "drivers/misc/foo/foo_glue.c:7:\tfoo_remove(pdev);\n")
        // Patch 1 uses the flag patch 3 defines.
        #expect(session.grep(pattern: "FOO_FLAG_READY", path: nil, patchIndex: 0).text
            == "drivers/misc/foo/foo_core.c:103:\tpriv->flags |= FOO_FLAG_READY;\n")
        #expect(session.grep(pattern: "no_such_thing", path: nil, patchIndex: 0).text == "no matches (after patch 1)\n")
        let bad = session.grep(pattern: "foo(", path: nil, patchIndex: 0)
        #expect(bad.isError && bad.text.hasPrefix("bad pattern or path:"))
        #expect(session.grep(pattern: "x", path: "../outside", patchIndex: 0).isError)
        #expect(session.grep(pattern: String(repeating: "a", count: 300), path: nil, patchIndex: 0).isError)
    }

    @Test("read_file: numbered lines, bounded, any file of the tree")
    func readFile() {
        let answer = session.readFile(file: SampleDriverRepository.header, start: 13, end: 14, patchIndex: 0, base: false)
        #expect(answer.text == "drivers/misc/foo/foo.h lines 13-14 of 23 (after patch 1)\n"
            + "    13   struct foo_priv {\n    14   \tstruct device *dev;\n")
        let makefile = session.readFile(file: "drivers/misc/foo/Makefile", start: nil, end: nil, patchIndex: 0, base: false)
        #expect(makefile.text.contains("obj-$(CONFIG_FOO)"))
        #expect(session.readFile(file: "drivers/none.c", start: nil, end: nil, patchIndex: 0, base: false).isError)
        #expect(session.readFile(file: "/etc/passwd", start: nil, end: nil, patchIndex: 0, base: false).isError)
        #expect(session.readFile(file: SampleDriverRepository.header, start: 500, end: nil, patchIndex: 0, base: false).isError)
    }

    @Test("exists: functions, structs, fields and macros of the patched tree, nothing invented")
    func exists() {
        #expect(session.exists("foo_hw_enable()", patchIndex: 0))
        #expect(session.exists("struct foo_priv", patchIndex: 0))
        #expect(session.exists("->flags", patchIndex: 0))
        #expect(session.exists("FOO_FLAG_READY", patchIndex: 2))
        #expect(!session.exists("FOO_CTRL_BUSY", patchIndex: 2))
        #expect(!session.exists("struct foo_private", patchIndex: 2))
        #expect(!session.exists("->frob_count", patchIndex: 2))
        #expect(!session.exists("foo_frobnicate_everything", patchIndex: 2))
        // Called but defined nowhere in the tree (a kernel API): it is mentioned, so it exists.
        #expect(session.exists("devm_kzalloc", patchIndex: 0))
    }
}
