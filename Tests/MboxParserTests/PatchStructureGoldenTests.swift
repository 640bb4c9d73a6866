import Foundation
import Testing
@testable import MboxParser

/// The parsed structure of chosen fixture patches, compared with golden files in
/// Golden/patch-structure (re-record with REVIEWBOT_RECORD=1 and review the diff).
@Suite struct PatchStructureGoldenTests {
    enum Source: Sendable {
        /// A body scripts/numstat-golden saved (transfer encoding already undone).
        case decodedBody(String)
        /// The patch part git mailinfo wrote (for multipart mails, which have no saved body).
        case mailinfoPatch(String)
        /// An 8bit single-message fixture: the body after the first blank line.
        case plainFixture(String)
    }

    static let cases: [(name: String, source: Source)] = [
        ("rename", .decodedBody("linux-mailinglist-archives__linux-watchdog__single-rename__dd9571be9562f8d31abd17cdd56d123bf25bec17.eml__1")),
        ("rename-only", .decodedBody("patchew-project__patchew__0034-rename-only-patch.mbox__1")),
        ("mode-change", .decodedBody("linux-mailinglist-archives__netfilter-devel__single-mode-change__f9a09d8b884193c44d6267d1a00a30bcbb0f1af6.eml__1")),
        ("mode-only-series", .decodedBody("patchew-project__patchew__0021-mode-only-patch.mbox__1")),
        ("binary-literal", .decodedBody("linux-mailinglist-archives__netfilter-devel__single-git-binary-patch__c809ac2cf4bb0a3d6213587e003dbcd1df93a71c.eml__1")),
        ("binary-no-prefix", .decodedBody("getpatchwork__patchwork__mail__0027-git-modify-binary-file.mbox__1")),
        ("no-newline-at-eof", .decodedBody("linux-mailinglist-archives__netfilter-devel__single-no-newline-at-eof__5fdfc761b66e80cebc39415a8b3c596819688036.eml__1")),
        ("quilt", .decodedBody("linux-mailinglist-archives__linux-watchdog__single-non-git-quilt-diff__c4ee5b108e432973daa0ccef2cbec9f1d24a8c66.eml__1")),
        ("cvs", .mailinfoPatch("getpatchwork__patchwork__mail__0007-cvs-format-diff.mbox__1")),
        ("mercurial", .decodedBody("getpatchwork__patchwork__series__mercurial-no-cover-letter.mbox__1")),
        ("interdiff", .decodedBody("linux-mailinglist-archives__netfilter-devel__single-interdiff__cbbde9871da0d96ae6cc6885b6e633ba1f8a8865.eml__1")),
        ("scissors", .decodedBody("linux-mailinglist-archives__netfilter-devel__single-scissors__75db4a9ba6998bbcc7d9138cf68efd61aaea7b34.eml__1")),
        ("b4-relay-in-body-from", .decodedBody("linux-mailinglist-archives__linux-watchdog__single-b4-relay-via__51f6e025d36cf471338a0e04b90ae9bfea03d14f.eml__1")),
        ("many-files-many-hunks", .decodedBody("linux-mailinglist-archives__linux-watchdog__single-many-files-many-hunks__622238456f1c11f26346864a98ad1d04561c0c65.eml__1")),
        ("large-new-file", .decodedBody("linux-mailinglist-archives__linux-watchdog__single-large-new-file-128KB__86620a4cc7032f7d4fdf4ab14d9de1aeef136ce4.eml__1")),
        ("in-body-headers-git-sample", .decodedBody("git__git__sample.mbox__15")),
        ("range-diff-cover", .plainFixture("linux-mailinglist-archives__linux-watchdog/single-range-diff-cover__b059492845bcd4b5fe7e8b8ed04b85e3cb7d5636.eml")),
    ]

    static func body(_ source: Source) -> String? {
        switch source {
        case .decodedBody(let stem):
            return GoldenFiles.read(GoldenFiles.numstatFile(stem, "body"))
        case .mailinfoPatch(let stem):
            return GoldenFiles.read(GoldenFiles.numstatFile(stem, "patch"))
        case .plainFixture(let path):
            guard let mail = GoldenFiles.read(GoldenFiles.fixtures.appendingPathComponent(path)),
                  let blank = mail.range(of: "\n\n") else { return nil }
            return String(mail[blank.upperBound...])
        }
    }

    @Test(arguments: cases.map(\.name))
    func structureMatchesGolden(name: String) throws {
        let source = try #require(Self.cases.first { $0.name == name }?.source)
        let body = try #require(Self.body(source), "input for \(name) is missing")
        let rendered = PatchRendering.render(PatchParser.parse(body: body))
        let golden = GoldenFiles.patchStructure.appendingPathComponent("\(name).txt")
        if GoldenFiles.isRecording {
            try FileManager.default.createDirectory(at: GoldenFiles.patchStructure, withIntermediateDirectories: true)
            try rendered.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try #require(GoldenFiles.read(golden), "no golden \(name).txt; record with REVIEWBOT_RECORD=1")
        #expect(rendered == expected, "\(name): parsed structure differs from Golden/patch-structure/\(name).txt")
    }
}

/// A stable, reviewable text form of a parsed patch: every field, each hunk with its
/// counts and its first and last lines (with line numbers) rather than all of them.
enum PatchRendering {
    static func render(_ patch: Patch) -> String {
        var out: [String] = []
        func block(_ title: String, _ text: String) {
            guard !text.isEmpty else { return }
            out.append("\(title):")
            out += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  | \($0)" }
        }
        if let from = patch.inBodyFrom { out.append("in-body from: \(from.name) <\(from.email)>") }
        if let subject = patch.inBodySubject { out.append("in-body subject: \(subject)") }
        if let date = patch.inBodyDate { out.append("in-body date: \(date)") }
        block("discussion", patch.discussion)
        block("commit message", patch.commitMessage)
        for trailer in patch.trailers { out.append("trailer: \(trailer.name): \(trailer.value)") }
        block("notes", patch.notes)
        for line in patch.diffstat { out.append("diffstat: \(line)") }
        for file in patch.files {
            var header = "file: \(file.status.rawValue) \(file.oldPath ?? "-") -> \(file.newPath ?? "-")"
            header += " +\(file.added) -\(file.removed)"
            if file.oldMode != nil || file.newMode != nil { header += " mode \(file.oldMode ?? "-")->\(file.newMode ?? "-")" }
            if let similarity = file.similarity { header += " similarity \(similarity)%" }
            if let dissimilarity = file.dissimilarity { header += " dissimilarity \(dissimilarity)%" }
            if let old = file.oldIndex, let new = file.newIndex { header += " index \(old)..\(new)" }
            if file.isBinary { header += " binary" }
            out.append(header)
            for binary in file.binaryHunks {
                out.append("  binary \(binary.method.rawValue) \(binary.size) (\(binary.lineCount) lines)")
            }
            for hunk in file.hunks {
                out.append("  @@ -\(hunk.oldStart),\(hunk.oldCount) +\(hunk.newStart),\(hunk.newCount) @@ "
                    + "[\(hunk.functionContext)] \(hunk.lines.count) lines +\(hunk.added) -\(hunk.removed)")
                let shown = hunk.lines.count <= 2 ? Array(hunk.lines) : [hunk.lines[0], hunk.lines[hunk.lines.count - 1]]
                for line in shown { out.append("    \(describe(line))") }
            }
        }
        block("trailing text", patch.trailingText)
        if let base = patch.baseCommit { out.append("base-commit: \(base)") }
        for id in patch.prerequisitePatchIDs { out.append("prerequisite-patch-id: \(id)") }
        if let change = patch.changeID { out.append("change-id: \(change)") }
        for warning in patch.warnings { out.append("warning: \(warning)") }
        for lines in patch.unplaced { out.append("unplaced \(lines.cause.rawValue) in \(lines.file): \(lines.summary)") }
        return out.joined(separator: "\n") + "\n"
    }

    static func describe(_ line: DiffLine) -> String {
        let old = line.oldLine.map(String.init) ?? "-"
        let new = line.newLine.map(String.init) ?? "-"
        return "\(old):\(new) \(line.patchText)"
    }
}
