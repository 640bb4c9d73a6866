import Foundation
import Testing
@testable import MboxParser

/// PatchParser against `git apply --numstat` on every fixture message git can read
/// (golden files written by scripts/numstat-golden).
@Suite struct NumstatParityTests {
    /// `added<TAB>removed<TAB>path`, `-` for binary, as git prints it.
    static func numstat(of patch: Patch) -> [String] {
        patch.files.map { file in
            file.isBinary ? "-\t-\t\(file.path)" : "\(file.added)\t\(file.removed)\t\(file.path)"
        }
    }

    static func expectedNumstat(_ stem: String) -> [String]? {
        GoldenFiles.read(GoldenFiles.numstatFile(stem, "numstat"))
            .map { $0.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    @Test func goldenFilesArePresent() {
        #expect(GoldenFiles.numstatStems().count >= 150)
    }

    @Test func patchPartMatchesGitApplyNumstat() throws {
        var compared = 0, mismatched: [String] = []
        for stem in GoldenFiles.numstatStems() {
            guard let expected = Self.expectedNumstat(stem) else { continue }
            let text = try #require(GoldenFiles.read(GoldenFiles.numstatFile(stem, "patch")))
            let actual = Self.numstat(of: PatchParser.parse(body: text))
            compared += expected.count
            if actual != expected { mismatched.append(stem) }
            #expect(actual == expected, "\(stem).patch")
        }
        print("numstat parity (patch part): \(compared) files compared, \(mismatched.count) messages differ")
        #expect(compared >= 400)
    }

    @Test func wholeBodyMatchesGitApplyNumstat() throws {
        var compared = 0, bodies = 0
        for stem in GoldenFiles.numstatStems() {
            guard let expected = Self.expectedNumstat(stem),
                  let body = GoldenFiles.read(GoldenFiles.numstatFile(stem, "body")) else { continue }
            bodies += 1
            compared += expected.count
            let patch = PatchParser.parse(body: body)
            #expect(Self.numstat(of: patch) == expected, "\(stem).body")
            #expect(PatchParser.containsDiff(body) == !expected.isEmpty, "containsDiff \(stem).body")
        }
        print("numstat parity (whole body): \(compared) files in \(bodies) bodies compared")
        #expect(bodies >= 100)
    }

    /// The commit message must be what git am would record (mailinfo --scissors, stripspace).
    @Test func commitMessageMatchesGitMailinfo() throws {
        var compared = 0
        for stem in GoldenFiles.numstatStems() {
            guard let body = GoldenFiles.read(GoldenFiles.numstatFile(stem, "body")),
                  let message = GoldenFiles.read(GoldenFiles.numstatFile(stem, "msg")),
                  !body.hasPrefix("# HG changeset patch") else { continue }
            compared += 1
            #expect(PatchParser.parse(body: body).commitMessage == message, "\(stem).body")
        }
        #expect(compared >= 100)
    }

    /// Where git apply refuses the patch, the parser still returns and says what it tolerated.
    @Test func patchesGitRefusesAreReadWithWarnings() throws {
        var refused = 0
        for stem in GoldenFiles.numstatStems() where GoldenFiles.read(GoldenFiles.numstatFile(stem, "corrupt")) != nil {
            refused += 1
            let text = try #require(GoldenFiles.read(GoldenFiles.numstatFile(stem, "patch")))
            let patch = PatchParser.parse(body: text)
            #expect(!patch.warnings.isEmpty, "\(stem).patch")
        }
        #expect(refused >= 5)
    }
}
