import Foundation
import MboxParser
import Testing
@testable import PromptLibrary

/// Trigger quality, file by file: every bundled subsystem and pattern file (and any other
/// file with triggers, such as syzkaller.md) has patches it must select and near-misses it
/// must not, in `TriggerFixtures/<path without .md>/` as `match-<slug>.patch` and
/// `nomatch-<slug>.patch`, each one `git format-patch` mail read by the real mail reader
/// and patch parser.
@Suite struct TriggerFixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("TriggerFixtures")

    /// One fixture patch and what it expects of the file whose directory holds it.
    struct Fixture: Sendable, CustomTestStringConvertible {
        /// The prompt file, e.g. `subsystems/sound.md`.
        var promptPath: String
        var url: URL
        var mustMatch: Bool

        var testDescription: String { "\(promptPath.dropLast(3))/\(url.lastPathComponent)" }
    }

    static func fixtureDirectory(for file: PromptFile) -> URL {
        root.appendingPathComponent(String(file.path.dropLast(".md".count)))
    }

    /// Every `.patch` file under `root`, with the prompt file its directory names.
    static func allFixtures() -> [Fixture] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "patch" }
            .map { url in
                let directory = url.deletingLastPathComponent().path
                let relative = String(directory.dropFirst(root.path.count + 1))
                return Fixture(promptPath: relative + ".md", url: url,
                               mustMatch: url.lastPathComponent.hasPrefix("match-"))
            }
            .sorted { $0.url.path < $1.url.path }
    }

    /// The files that need fixtures: every subsystem and pattern, and every file with triggers.
    static func filesWithTriggers() throws -> [PromptFile] {
        try PromptLibrary.load().files.filter { $0.kind == .subsystem || $0.kind == .pattern || !$0.triggers.isEmpty }
    }

    @Test func everyFileWithTriggersHasMatchAndNomatchFixtures() throws {
        let files = try Self.filesWithTriggers()
        #expect(files.count >= 32)
        let fixtures = Self.allFixtures()
        for file in files {
            let own = fixtures.filter { $0.promptPath == file.path }
            let directory = "Tests/PromptLibraryTests/TriggerFixtures/\(file.path.dropLast(3))"
            #expect(own.contains { $0.mustMatch },
                    "\(file.path) has no patch it must select; add \(directory)/match-<slug>.patch")
            #expect(own.contains { !$0.mustMatch },
                    "\(file.path) has no near-miss it must not select; add \(directory)/nomatch-<slug>.patch")
        }
    }

    /// A fixture for a renamed or deleted prompt file would otherwise test nothing.
    @Test func everyFixtureBelongsToABundledFileAndIsNamedForItsExpectation() throws {
        let paths = Set(try Self.filesWithTriggers().map(\.path))
        guard let walker = FileManager.default.enumerator(at: Self.root, includingPropertiesForKeys: [.isRegularFileKey])
        else { Issue.record("cannot list \(Self.root.path)"); return }
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let name = url.lastPathComponent
            #expect(name.range(of: #"^(match|nomatch)-[a-z0-9][a-z0-9-]*\.patch$"#, options: .regularExpression) != nil,
                    "\(url.path): fixture names are match-<slug>.patch or nomatch-<slug>.patch")
            let relative = String(url.deletingLastPathComponent().path.dropFirst(Self.root.path.count + 1))
            #expect(paths.contains(relative + ".md"),
                    "\(url.path): no bundled prompt file \(relative).md has triggers; move or delete the fixture")
        }
    }

    @Test(arguments: TriggerFixtureTests.allFixtures())
    func fixtureSelectsItsFileOrNot(_ fixture: Fixture) throws {
        let library = try PromptLibrary.load()
        let text = try String(contentsOf: fixture.url, encoding: .utf8)
        #expect(text.range(of: #"^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n"#, options: .regularExpression) != nil,
                "the first line must be git format-patch's 'From <40-hex sha> Mon Sep 17 00:00:00 2001'")

        let read = try SeriesMessage.read(path: fixture.url.path)
        #expect(read.errors.isEmpty, "\(read.errors)")
        #expect(read.messages.count == 1, "one mail per fixture")
        let message = try #require(read.messages.first)
        #expect(message.subject.hasPrefix("[PATCH"), "subject '\(message.subject)'")
        let patch = try #require(message.patch, "the mail holds no diff")
        #expect(!patch.files.isEmpty && patch.files.allSatisfy { !$0.hunks.isEmpty }, "every file has hunks")
        #expect(patch.warnings.isEmpty, "the diff does not parse cleanly (hunk counts?): \(patch.warnings)")
        #expect(patch.trailers.contains { $0.name.lowercased() == "signed-off-by" }, "has a Signed-off-by")

        let matches = library.matches(for: PatchFacts(patch, subject: message.subject))
        let own = matches.first { $0.file.path == fixture.promptPath }
        if fixture.mustMatch {
            #expect(own != nil, "\(fixture.promptPath) does not select it; selected: \(matches.map(\.file.path))")
        } else {
            #expect(own == nil, "\(fixture.promptPath) selects it: \(own.map { $0.hits.map(\.description) } ?? [])")
        }
    }
}
