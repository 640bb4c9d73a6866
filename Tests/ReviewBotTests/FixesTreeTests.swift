import FixEvidence
import Foundation
import Testing
@testable import ReviewBotKit

/// The `Fixes:` checks against a real git repository, read with git.
@Suite struct FixesTreeTests {
    static let patchFiles = ["drivers/block/nbd.c"]
    static let patchFunctions = ["recv_work"]

    static func checks(_ value: String, at path: URL) async throws -> [FixCheck] {
        let tag = try #require(FixesTag.parse(value, line: "Fixes: \(value)"))
        let tree = TreeFacts.git(repository: path.path, environment: [:])
        let facts = await tree.fixedCommit(tag, patchFiles)
        return FixesChecks.evaluate(tag, facts: facts, patchFiles: patchFiles, patchFunctions: patchFunctions,
                                    tree: tree.description)
    }

    @Test func theRightTagPassesAnUnknownIdAndAWrongSubjectFail() async throws {
        let (repository, ids) = try SmallGitRepository.make(SmallGitRepository.nbdHistory)
        defer { repository.remove() }
        let short = String(ids[0].prefix(12))

        let right = try await Self.checks("\(short) (\"nbd: add the receive worker\")", at: repository.path)
        #expect(right.map(\.outcome) == [.passed, .passed, .passed])
        #expect(right[0].detail.contains(short))

        let unknown = try await Self.checks("0badc0ffee12 (\"nbd: add the receive worker\")", at: repository.path)
        #expect(unknown.map(\.outcome) == [.failed, .notDone, .notDone])
        #expect(unknown[0].comment?.contains("0badc0ffee12, which is not a commit in the tree") == true)
        // The draft goes to the list: the maintainer's local path stays in report.md.
        #expect(unknown[0].comment?.contains(repository.path.path) == false)
        #expect(unknown[0].detail.contains(repository.path.path))

        let wrongSubject = try await Self.checks("\(short) (\"nbd: fix the receive worker\")", at: repository.path)
        #expect(wrongSubject.map(\.outcome) == [.passed, .failed, .passed])
        #expect(wrongSubject[1].comment == "The Fixes: tag names \(short) (\"nbd: fix the receive worker\"), but that "
            + "commit's subject is \"nbd: add the receive worker\"; is the id or the quoted subject wrong?")
    }

    @Test func aCommitThatTouchedOtherCodeIsAQuestion() async throws {
        let (repository, ids) = try SmallGitRepository.make(SmallGitRepository.nbdHistory)
        defer { repository.remove() }
        let short = String(ids[1].prefix(12))
        let checks = try await Self.checks("\(short) (\"foo: tidy the probe\")", at: repository.path)
        #expect(checks.map(\.outcome) == [.passed, .passed, .failed])
        #expect(checks[2].comment == "The Fixes: tag names \(short) (\"foo: tidy the probe\"), which did not touch "
            + "drivers/block/nbd.c or recv_work(); is this the commit that introduced the problem?")
    }

    /// Two commits share `5d11`; blobs and trees sharing an abbreviation do not count.
    @Test func anAmbiguousIdIsSaidSoAndALongerOneResolves() async throws {
        let repository = try SmallGitRepository.manyCommits(700)
        defer { repository.remove() }
        let ambiguous = try await Self.checks("5d11 (\"commit 339\")", at: repository.path)
        #expect(ambiguous.map(\.outcome) == [.failed, .notDone, .notDone])
        #expect(ambiguous[0].comment == "The Fixes: tag's 5d11 matches several commits here (5d112db, 5d11890); "
            + "could it give 12 characters of the id, so it names one?")
        let longer = try await Self.checks("5d112 (\"commit 339\")", at: repository.path)
        #expect(longer.map(\.outcome).prefix(2) == [.passed, .passed])
    }

    @Test func aBrokenRepositoryMeansNotDone() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("rb-nogit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let checks = try await Self.checks("0badc0ffee12 (\"x: y\")", at: empty)
        #expect(checks.map(\.outcome) == [.notDone, .notDone, .notDone])
        #expect(checks[0].detail.contains("git rev-parse in \(empty.path) failed"))
    }

    /// Reading leaves the checkout as it was: index, refs, HEAD, status, objects.
    @Test func readingChangesNothing() async throws {
        let (repository, ids) = try SmallGitRepository.make(SmallGitRepository.nbdHistory)
        defer { repository.remove() }
        let before = try repository.fixture.snapshot()
        _ = try await Self.checks("\(ids[1].prefix(12)) (\"foo: tidy the probe\")", at: repository.path)
        _ = await TreeFacts.git(repository: repository.path.path, environment: [:]).callers(["nbd_config_put"], 0)
        #expect(try repository.fixture.snapshot() == before)
    }

    /// A label in column 0 does not hide the function a call sits in.
    @Test func callersComeFromTheFunctionsTheCallsSitIn() async throws {
        let (repository, _) = try SmallGitRepository.make(SmallGitRepository.nbdHistory)
        defer { repository.remove() }
        let tree = TreeFacts.git(repository: repository.path.path, environment: [:])
        let callers = await tree.callers(["nbd_config_put", "recv_work", "foo_probe"], 0)
        #expect(callers == ["nbd_config_put": ["recv_work"]])
    }
}
