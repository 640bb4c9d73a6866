import Foundation
import Testing
@testable import PromptLibrary

/// A scratch directory of prompt files, removed when the test ends.
final class PromptDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ relativePath: String, _ text: String) throws {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }
}

@Suite struct PromptLibraryLoadingTests {
    static let minimalSubsystem = """
        ---
        name: foo
        description: Foo drivers
        triggers:
          - path: drivers/foo/**
        ---
        # Foo
        ## Quick checks
        - check foo
        """

    @Test func overrideReplacesSamePathAndAddsNewFiles() throws {
        let overrides = try PromptDirectory()
        try overrides.write("subsystems/sound.md", """
            ---
            name: sound
            description: Local sound rules
            triggers: [path: sound/soc/**]
            ---
            # Our own sound rules
            """)
        try overrides.write("subsystems/foo.md", Self.minimalSubsystem)
        let library = try PromptLibrary.load(overrideDirectory: overrides.url)

        let sound = try library.file(named: "sound")
        #expect(sound.body == "# Our own sound rules")
        #expect(sound.origin == .override(directory: overrides.url.path))
        #expect(library.files.filter { $0.path == "subsystems/sound.md" }.count == 1)
        let foo = try library.file(named: "subsystems/foo")
        #expect(foo.kind == .subsystem)
        #expect(try library.file(named: "core").origin == .bundled)

        let matched = library.matches(for: PatchFacts(paths: ["drivers/foo/a.c", "sound/soc/codecs/x.c"]))
            .map(\.file.name)
        #expect(matched.contains("foo"))
        #expect(matched.contains("sound"))
        #expect(!library.matches(for: PatchFacts(paths: ["sound/usb/card.c"])).map(\.file.name).contains("sound"))
    }

    @Test func missingExplicitOverrideIsAnError() {
        let missing = URL(fileURLWithPath: "/nonexistent/reviewbot-prompts")
        #expect(throws: PromptLibraryError.missingDirectory(path: missing.path)) {
            try PromptLibrary.load(overrideDirectory: missing)
        }
    }

    @Test func xdgDirectoryIsUsedWhenPresent() throws {
        let config = try PromptDirectory()
        try config.write("reviewbot/prompts/subsystems/foo.md", Self.minimalSubsystem)
        let library = try PromptLibrary.load(explicitOverride: nil, environment: ["XDG_CONFIG_HOME": config.url.path])
        #expect(try library.file(named: "foo").kind == .subsystem)

        #expect(PromptLibrary.defaultOverrideDirectory(environment: ["HOME": "/home/m", "XDG_CONFIG_HOME": "rel"])?
            .path == "/home/m/.config/reviewbot/prompts")
        let absent = try PromptLibrary.load(explicitOverride: nil, environment: ["HOME": "/nonexistent"])
        #expect(absent.files.allSatisfy { $0.origin == .bundled })
    }

    @Test func unknownKeysAndStrayFilesWarn() throws {
        let overrides = try PromptDirectory()
        try overrides.write("subsystems/foo.md", Self.minimalSubsystem.replacingOccurrences(
            of: "description: Foo drivers", with: "description: Foo drivers\nowner: someone"))
        try overrides.write("notes.txt", "not a prompt")
        let library = try PromptLibrary.load(overrideDirectory: overrides.url)
        let messages = library.warnings.map(\.description)
        #expect(messages.contains("\(overrides.url.path)/subsystems/foo.md:4: warning: unknown key 'owner' is ignored"))
        #expect(messages.contains { $0.hasSuffix("notes.txt: warning: ignored: prompt files must end in .md") })
    }

    @Test func badGlobAndRegexNameFileAndLine() throws {
        let overrides = try PromptDirectory()
        try overrides.write("subsystems/foo.md", """
            ---
            name: foo
            description: Foo drivers
            triggers:
              - path: drivers/foo/[ab
              - change: '\\bfoo_(probe'
              - message: 'x*'
              - file: drivers/foo
            ---
            """)
        let path = overrides.url.path + "/subsystems/foo.md"
        #expect {
            try PromptLibrary.load(overrideDirectory: overrides.url)
        } throws: { error in
            guard case let .several(problems) = error as? PromptLibraryError, problems.count == 4 else { return false }
            let text = problems.map(\.description)
            return text[0].hasPrefix("\(path):5: bad trigger 'drivers/foo/[ab': unterminated '['")
                && text[1].hasPrefix("\(path):6: bad trigger '\\bfoo_(probe': regex does not compile")
                && text[2].hasPrefix("\(path):7: bad trigger 'x*': regex matches empty text")
                && text[3] == "\(path):8: trigger 'file: drivers/foo' must start with 'path:', 'change:', 'function:', "
                    + "'context:' or 'message:'"
        }
    }

    @Test func subsystemWithoutTriggersAndDuplicateNamesAreErrors() throws {
        let overrides = try PromptDirectory()
        try overrides.write("patterns/empty.md", "---\nname: empty\ndescription: nothing\n---\nbody\n")
        try overrides.write("guides/core-copy.md", "---\nname: core\ndescription: again\n---\nbody\n")
        #expect {
            try PromptLibrary.load(overrideDirectory: overrides.url)
        } throws: { error in
            let text = (error as? PromptLibraryError)?.description ?? ""
            return text.contains("patterns/empty.md:1: pattern files need at least one trigger")
                && text.contains("prompt name 'core' is declared by core.md and guides/core-copy.md")
        }
    }

    @Test func unknownPromptNameSaysHowToList() throws {
        let library = try PromptLibrary.load()
        #expect(throws: PromptLibraryError.unknownPrompt(name: "sond")) { try library.file(named: "sond") }
        #expect(PromptLibraryError.unknownPrompt(name: "sond").description
            == "no prompt file named 'sond'; 'reviewbot prompts list' shows the names")
    }
}
