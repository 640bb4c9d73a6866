import Foundation
import Testing
@testable import PromptLibrary

/// What each trigger kind looks at: a guide is chosen for what the patch changes, and
/// unchanged code counts only next to a change (`context:` with its `change:`) or as the
/// function a hunk changes (`function:`).
@Suite struct TriggerKindsTests {
    /// A library of one pattern file with `triggers`, nothing bundled.
    static func library(_ triggers: String) throws -> PromptLibrary {
        let directory = try PromptDirectory()
        try directory.write("patterns/probe.md", """
            ---
            name: probe
            description: A pattern under test
            triggers:
            \(triggers)
            ---
            body
            """)
        return try PromptLibrary(bundled: directory.url, override: nil)
    }

    static func hits(_ library: PromptLibrary, _ facts: PatchFacts) -> [TriggerHit] {
        library.matches(for: facts).first?.hits ?? []
    }

    static let lockContext = PatchFacts.Hunk(
        functionContext: "static int foo_get(struct gpio_chip *chip, unsigned int offset)",
        addedLines: ["\tif (offset >= st->num_channels)", "\t\treturn -EINVAL;"],
        contextLines: ["\tmutex_lock(&st->gpio_lock);", "", "\tif (st->gpio_out & BIT(offset))"])

    @Test func changeLooksAtAddedAndRemovedLinesOnly() throws {
        let library = try Self.library("  - change: '\\bmutex_lock\\s*\\('")
        // The lock is unchanged and the message names it: neither selects the file.
        let untouched = PatchFacts(paths: ["drivers/iio/dac/foo.c"], hunks: [Self.lockContext],
                                   commitMessage: "iio: foo: check the offset under mutex_lock()")
        #expect(Self.hits(library, untouched).isEmpty)

        var removed = Self.lockContext
        removed.removedLines = ["\tmutex_lock(&st->lock);"]
        let hit = try #require(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [removed])).first)
        #expect(hit.source == .removedLine)
        #expect(hit.description == "line 5: change \\bmutex_lock\\s*\\( -> 'mutex_lock(' in removed line")
        #expect(hit.reason == "change `\\bmutex_lock\\s*\\(` in a removed line")
    }

    @Test func contextSelectsOnlyWithAMatchingChangeInTheSameHunk() throws {
        let library = try Self.library("""
              - context: '\\bmutex_lock\\s*\\('
                change: '^\\s*return\\b'
            """)
        let hit = try #require(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [Self.lockContext])).first)
        #expect(hit.trigger.kind == .context)
        #expect(hit.trigger.changePattern == "^\\s*return\\b")
        #expect(hit.source == .addedLine && hit.text == "\t\treturn")
        #expect(hit.context == "mutex_lock(" && hit.contextSource == .contextLine)
        #expect(hit.description == "line 5: context \\bmutex_lock\\s*\\( + change ^\\s*return\\b -> "
            + "'\t\treturn' in added line, near 'mutex_lock(' in context line")
        #expect(hit.reason == "change `^\\s*return\\b` in an added line, next to context `\\bmutex_lock\\s*\\(` "
            + "in the same hunk")

        // The lock unchanged with some other change: not selected.
        var otherChange = Self.lockContext
        otherChange.addedLines = ["\tval = st->gpio_val;"]
        #expect(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [otherChange])).isEmpty)
        // The return added in another hunk, away from the lock: not selected either.
        let elsewhere = PatchFacts.Hunk(functionContext: "static int foo_set(struct gpio_chip *chip)",
                                        addedLines: ["\treturn 0;"], contextLines: ["\tint ret;"])
        #expect(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [otherChange, elsewhere])).isEmpty)
        // The context may be the function git names in the hunk header.
        let inHeader = PatchFacts.Hunk(functionContext: "static void foo(void) { mutex_lock(&a);",
                                       addedLines: ["\treturn;"])
        let headerHit = try #require(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [inHeader])).first)
        #expect(headerHit.contextSource == .functionContext)
    }

    @Test func functionMatchesTheHunkHeaderNotItsLines() throws {
        let library = try Self.library("  - function: '\\(struct urb \\*\\w+\\)'")
        let completion = PatchFacts.Hunk(functionContext: "static void foo_irq(struct urb *urb)",
                                         addedLines: ["\tcase -EPROTO:"], contextLines: ["\tcase -ENOENT:"])
        let hit = try #require(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [completion])).first)
        #expect(hit.source == .functionContext && hit.text == "(struct urb *urb)")
        #expect(hit.reason == "the change is inside a function matching `\\(struct urb \\*\\w+\\)`")

        // The same text as an unchanged line, below another function's header: not selected.
        let caller = PatchFacts.Hunk(functionContext: "static int foo_probe(struct usb_interface *intf)",
                                     addedLines: ["\tint ret;"],
                                     contextLines: ["static void foo_irq(struct urb *urb)"])
        #expect(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [caller])).isEmpty)
    }

    /// `symbol:` keeps its old meaning for override directories written for it, and says
    /// what to write instead; no bundled file uses it.
    @Test func symbolStillMatchesContextButWarns() throws {
        let library = try Self.library("  - symbol: '\\bmutex_lock\\s*\\('")
        var otherChange = Self.lockContext
        otherChange.addedLines = ["\tval = st->gpio_val;"]
        let hit = try #require(Self.hits(library, PatchFacts(paths: ["a.c"], hunks: [otherChange])).first)
        #expect(hit.source == .contextLine)
        #expect(library.warnings.map(\.description) == [
            "review-prompts/patterns/probe.md:5: warning: 'symbol:' also matches unchanged lines and the "
                + "commit message; write 'change:' for added and removed lines, or 'context:' with a 'change:' "
                + "line under it",
        ])
        let bundled = try PromptLibrary.load()
        #expect(bundled.files.flatMap(\.triggers).allSatisfy { $0.kind != .symbol })
    }

    @Test(arguments: [
        ("  - context: '\\bfoo_lock\\('", 5,
         "a 'context:' trigger needs a 'change:' line under it, lined up with 'context:'"),
        ("  - context: '\\bfoo_lock\\('\n    message: 'foo'", 5,
         "a 'context:' trigger needs a 'change:' line under it"),
        ("  - path: drivers/foo/**\n    change: 'foo'", 6,
         "'change: 'foo'' cannot go under a 'path:' trigger; only 'context:' takes one more line, its 'change:'"),
        ("  - context: 'a\\('\n    change: 'b\\('\n    change: 'c\\('", 7,
         "'change: 'c\\('' cannot go under a 'context:' trigger"),
        ("  - context: '\\bfoo_lock\\('\n      change: 'return'", 6,
         "'change: 'return'' must line up with the key of the list item above it (indent it by 4 spaces)"),
        ("  - around: 'foo'", 5,
         "trigger 'around: 'foo'' must start with 'path:', 'change:', 'function:', 'context:' or 'message:'"),
    ])
    func malformedTriggersSayWhatToWrite(triggers: String, line: Int, problem: String) throws {
        #expect {
            try Self.library(triggers)
        } throws: { error in
            guard case let .frontMatter(_, errorLine, message) = error as? PromptLibraryError else { return false }
            return errorLine == line && message.hasPrefix(problem)
        }
    }

    @Test func badChangeRegexNamesItsOwnLine() throws {
        #expect {
            try Self.library("  - context: '\\bfoo\\('\n    change: 'return ('")
        } throws: { error in
            guard case let .invalidTrigger(_, line, pattern, problem) = error as? PromptLibraryError else { return false }
            return line == 6 && pattern == "return (" && problem.hasPrefix("regex does not compile")
        }
    }

    @Test func showPrintsTheChangeUnderItsContext() throws {
        let library = try Self.library("""
              - path: drivers/foo/**
              - context: '\\bfoo_lock\\('
                change: '^\\s*return\\b'
            """)
        let shown = try library.showing("probe")
        #expect(shown.contains("triggers:\n  - path: drivers/foo/**\n  - context: \\bfoo_lock\\(\n"
            + "    change: ^\\s*return\\b\n"))
    }
}
