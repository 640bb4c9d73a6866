import Testing
@testable import PromptLibrary

@Suite struct FrontMatterTests {
    @Test func parsesScalarsInlineAndBlockLists() throws {
        let text = """
            ---
            name: sound
            # a comment line
            description: 'ALSA: it''s the core'
            tags: [a, 'b, c', "d\\"e", sound/*.[ch]]
            triggers:
              - path: sound/**
              - symbol: '\\bsnd_card_new\\b'
            ---

            # Body
            text
            """
        let matter = try FrontMatter.parse(text, file: "x.md")
        #expect(matter["name"]?.value == .scalar("sound"))
        #expect(matter["description"]?.value == .scalar("ALSA: it's the core"))
        #expect(matter["tags"]?.value == .list([
            .init(text: "a", line: 5), .init(text: "b, c", line: 5), .init(text: "d\"e", line: 5),
            .init(text: "sound/*.[ch]", line: 5),
        ]))
        #expect(matter["triggers"]?.value == .list([
            .init(text: "path: sound/**", line: 7), .init(text: "symbol: '\\bsnd_card_new\\b'", line: 8),
        ]))
        #expect(matter.body == "\n# Body\ntext")
        #expect(matter.bodyStartLine == 10)
    }

    /// A list item may go on with `key: value` lines under its own key, as YAML writes a
    /// list of small maps; that is how a `context:` trigger carries its `change:`.
    @Test func listItemsCarryTheKeysLinedUpUnderThem() throws {
        let text = """
            ---
            triggers:
              - path: sound/**
              -   context: 'spin_lock\\('
                  # the change the hunk must hold
                  change: '^\\s*return\\b'
              - change: 'foo'
            ---
            """
        let matter = try FrontMatter.parse(text, file: "x.md")
        #expect(matter["triggers"]?.value == .list([
            .init(text: "path: sound/**", line: 3),
            .init(text: "context: 'spin_lock\\('", line: 4,
                  more: [.init(text: "change: '^\\s*return\\b'", line: 6)]),
            .init(text: "change: 'foo'", line: 7),
        ]))
    }

    @Test(arguments: [
        ("name: x\n---\n", 1, "missing front matter"),
        ("---\nname: x\n", 1, "never closed"),
        ("---\nname: x\n  nested: y\n---\n", 3, "nested keys"),
        ("---\n- item\n---\n", 2, "list item without"),
        ("---\nname: x\nname: y\n---\n", 3, "appears twice"),
        ("---\nname: \"a\\b\"\n---\n", 2, "unsupported escape"),
        ("---\nlist: [a, b\n---\n", 2, "not closed"),
        ("---\nlist: [a, , b]\n---\n", 2, "empty item"),
        ("---\n\tname: x\n---\n", 2, "tabs"),
        ("---\njust words\n---\n", 2, "expected 'key: value'"),
        ("---\nt:\n  - a: x\n     b: y\n---\n", 4, "'b: y' must line up with the key of the list item above it"),
        ("---\nt:\n  - just text\n    b: y\n---\n", 4, "only a 'key: value' list item can go on"),
        ("---\nt:\n  - a: x\n    words\n---\n", 4, "only a 'key: value' list item can go on"),
        ("---\nt: [a: x]\n    b: y\n---\n", 3, "nested keys are not supported"),
    ])
    func reportsSyntaxErrorsWithLine(text: String, line: Int, problem: String) {
        #expect {
            try FrontMatter.parse(text, file: "bad.md")
        } throws: { error in
            guard case let .frontMatter(file, errorLine, message) = error as? PromptLibraryError else { return false }
            return file == "bad.md" && errorLine == line && message.contains(problem)
        }
    }
}
