import Testing
@testable import MboxParser

/// The tricky cases, each on a small body written the way git format-patch writes it.
@Suite struct PatchParserTests {
    static let signature = "-- \n2.39.5\n"

    @Test func hunkEndsWhenItsCountsAreUsedUpSoTheSignatureIsNotARemovedLine() throws {
        let body = "Fix it.\n\nSigned-off-by: A U Thor <author@example.org>\n---\n"
            + "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"
            + "@@ -1,2 +1,2 @@\n-old\n+new\n same\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        let file = try #require(patch.files.first)
        #expect(patch.files.count == 1)
        #expect(file.added == 1 && file.removed == 1)
        #expect(file.hunks[0].lines.map(\.patchText) == ["-old", "+new", " same"])
        #expect(patch.trailingText == Self.signature)
        #expect(patch.warnings.isEmpty)
    }

    @Test func lineNumbersFollowBothSidesAndOmittedCountMeansOne() throws {
        let body = "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -10,3 +10,3 @@ int main(void)\n a\n-b\n+c\n d\n"
            + "@@ -20 +20,0 @@\n-gone\n@@ -0,0 +31 @@\n+tail\n"
        let hunks = try #require(PatchParser.parse(body: body).files.first).hunks
        #expect(hunks.count == 3)
        #expect(hunks[0].functionContext == "int main(void)")
        #expect(hunks[0].lines.map { [$0.oldLine, $0.newLine] } == [[10, 10], [11, nil], [nil, 11], [12, 12]])
        #expect((hunks[1].oldCount, hunks[1].newCount) == (1, 0))
        #expect(hunks[1].lines.map(\.oldLine) == [20])
        #expect((hunks[2].oldStart, hunks[2].oldCount, hunks[2].newStart, hunks[2].newCount) == (0, 0, 31, 1))
        #expect(hunks[2].lines.map(\.newLine) == [31])
    }

    @Test func emptyLineInsideAHunkIsWhitespaceDamagedContext() throws {
        let body = "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n"
        let lines = try #require(PatchParser.parse(body: body).files.first?.hunks.first?.lines)
        #expect(lines.map(\.kind) == [.context, .context, .removed, .added])
        #expect(lines[1].text == "" && lines[1].oldLine == 2 && lines[1].newLine == 2)
    }

    @Test func noNewlineMarkersBelongToTheHunk() throws {
        let body = "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"
            + "\\ No newline at end of file\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        let lines = try #require(patch.files.first?.hunks.first?.lines)
        #expect(lines.map(\.kind) == [.removed, .noNewlineMarker, .added, .noNewlineMarker])
        #expect(lines[3].patchText == "\\ No newline at end of file")
        #expect(patch.trailingText == Self.signature)
    }

    @Test func quotedPathsAreUnescaped() throws {
        let body = "---\ndiff --git \"a/caf\\303\\251 \\\"x\\\".c\" \"b/caf\\303\\251 \\\"x\\\".c\"\nnew file mode 100644\n"
            + "index 0000000..2222222\n--- /dev/null\n+++ \"b/caf\\303\\251 \\\"x\\\".c\"\n@@ -0,0 +1 @@\n+x\n"
        let file = try #require(PatchParser.parse(body: body).files.first)
        #expect(file.newPath == "café \"x\".c")
        #expect(file.oldPath == nil)
        #expect(file.status == .added)
        #expect(file.newMode == "100644")
    }

    @Test func diffGitLineWithSpacesIsSplitWhereTheNameRepeats() throws {
        // A mode-only change has no ---/+++ lines: the name comes from the diff --git line.
        let body = "---\ndiff --git a/dir with space/a b.sh b/dir with space/a b.sh\nold mode 100644\nnew mode 100755\n"
        let file = try #require(PatchParser.parse(body: body).files.first)
        #expect(file.path == "dir with space/a b.sh")
        #expect(file.status == .mode)
        #expect(file.hunks.isEmpty)
        #expect((file.oldMode, file.newMode) == ("100644", "100755"))
    }

    @Test func renameWithSpacesTakesNamesFromRenameLines() throws {
        let body = "---\ndiff --git a/old name.c b/new name.c\nsimilarity index 100%\n"
            + "rename from old name.c\nrename to new name.c\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        let file = try #require(patch.files.first)
        #expect((file.oldPath, file.newPath, file.status, file.similarity) == ("old name.c", "new name.c", .renamed, 100))
        #expect(file.hunks.isEmpty)
        #expect(patch.trailingText == Self.signature)
    }

    /// Real `git format-patch -C -C --binary` output: a copy and a binary literal/delta pair.
    @Test func copyAndBinaryDelta() throws {
        let body = "---\n blob.bin         | Bin 302 -> 303 bytes\n orig.c => copy.c |   1 +\n"
            + " 2 files changed, 1 insertion(+)\n copy orig.c => copy.c (96%)\n\n"
            + "diff --git a/blob.bin b/blob.bin\n"
            + "index e86285b51a65b976bc10c23de7c3cadf87abf900..ea990ec36808379e3e61b18f949f4a8d135418ac 100644\n"
            + "GIT binary patch\nliteral 303\nQcmb=Z7zM<J00Scv09X%<qyPW_\n\ndelta 7\nOcmZ3_w2o<m9wPt>w*o-`\n\n"
            + "diff --git a/orig.c b/copy.c\nsimilarity index 96%\ncopy from orig.c\ncopy to copy.c\n"
            + "index e8823e1..10adcaf 100644\n--- a/orig.c\n+++ b/copy.c\n@@ -28,3 +28,4 @@\n 28\n 29\n 30\n+31\n"
            + Self.signature
        let patch = PatchParser.parse(body: body)
        #expect(patch.files.count == 2)
        let binary = patch.files[0], copy = patch.files[1]
        #expect(binary.isBinary && binary.added == 0 && binary.removed == 0)
        #expect(binary.binaryHunks == [BinaryHunk(method: .literal, size: 303, lineCount: 1),
                                       BinaryHunk(method: .delta, size: 7, lineCount: 1)])
        #expect((copy.oldPath, copy.newPath, copy.status, copy.similarity) == ("orig.c", "copy.c", .copied, 96))
        #expect(copy.added == 1)
        #expect(patch.diffstat.count == 4)
        #expect(patch.diffstat.last == " copy orig.c => copy.c (96%)")
        #expect(patch.warnings.isEmpty)
    }

    @Test func trailersWithContinuationLines() {
        let body = "The fix.\n\nMore words here.\n\n"
            + "Fixes: 0123456789ab (\"subsys: a subject long enough\n  to wrap\")\n"
            + "Reported-by: R <r@example.org>\nCloses: https://lore.kernel.org/r/x@y\n"
            + "Signed-off-by: A U Thor <author@example.org>\n---\n"
        let patch = PatchParser.parse(body: body)
        #expect(patch.trailers.map(\.name) == ["Fixes", "Reported-by", "Closes", "Signed-off-by"])
        #expect(patch.trailers[0].value == "0123456789ab (\"subsys: a subject long enough to wrap\")")
        #expect(patch.trailers[3].person == MailAddress(name: "A U Thor", email: "author@example.org"))
        #expect(patch.commitMessage.hasPrefix("The fix.\n\nMore words here.\n\nFixes:"))
    }

    @Test func aLastParagraphOfProseHasNoTrailers() {
        let body = "Subject body.\n\nThis paragraph mentions Note: a colon\nbut is prose, not trailers.\n"
        #expect(PatchParser.parse(body: body).trailers.isEmpty)
    }

    /// git mailinfo ends the message at the first `---` line, even one meant as a rule in
    /// the message; git am records only what is above it, and so do we.
    @Test func firstDashLineEndsTheMessageAsInGitAm() throws {
        let body = "Intro.\n---\nMore text below a rule.\n\nSigned-off-by: A <a@example.org>\n---\n"
            + " x | 1 +\n 1 file changed, 1 insertion(+)\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n a\n+b\n"
        let patch = PatchParser.parse(body: body)
        #expect(patch.commitMessage == "Intro.\n")
        #expect(patch.notes.hasPrefix("More text below a rule.\n"))
        #expect(patch.diffstat == [" x | 1 +", " 1 file changed, 1 insertion(+)"])
        #expect(try #require(patch.files.first).added == 1)
    }

    @Test func diffWithoutSeparator() throws {
        let body = "Message.\n\nSigned-off-by: A <a@example.org>\ndiff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n"
            + "@@ -1 +1 @@\n-a\n+b\n"
        let patch = PatchParser.parse(body: body)
        #expect(patch.commitMessage == "Message.\n\nSigned-off-by: A <a@example.org>\n")
        #expect(patch.trailers.count == 1)
        #expect(patch.notes.isEmpty && patch.diffstat.isEmpty)
        #expect(patch.files.map(\.path) == ["x"])
    }

    @Test func crlfBodyReadsLikeLF() {
        let body = "From: Real Author <real@example.org>\n\nFix.\n\nSigned-off-by: A <a@example.org>\n---\n"
            + "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n" + Self.signature
        let crlf = body.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(PatchParser.parse(body: crlf) == PatchParser.parse(body: body))
        #expect(PatchParser.parse(body: crlf).inBodyFrom?.email == "real@example.org")
    }

    @Test func scissorsAndInBodyHeadersWithContinuation() {
        let body = "Thanks, how about this instead?\n\n-- >8 --\nFrom: Real Author <real@example.org>\n"
            + "Subject: [PATCH] a subject that\n continues here\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n"
            + "The message.\n---\n"
        let patch = PatchParser.parse(body: body)
        #expect(patch.discussion == "Thanks, how about this instead?\n")
        #expect(patch.inBodyFrom == MailAddress(name: "Real Author", email: "real@example.org"))
        #expect(patch.inBodySubject == "[PATCH] a subject that continues here")
        #expect(patch.inBodyDate == "Mon, 1 Jan 2024 00:00:00 +0000")
        #expect(patch.commitMessage == "The message.\n")
    }

    @Test func scissorsVariants() {
        for line in ["-- >8 --", "-- 8< --", "------------>8----------- cut here -------", "- - >% - -"] {
            let patch = PatchParser.parse(body: "above\n\(line)\nbelow\n")
            #expect(patch.discussion == "above\n", "\(line)")
            #expect(patch.commitMessage == "below\n", "\(line)")
        }
        for line in ["--8<--", "-- 8 --", "a >8 sentence that goes on and on", "->8-"] {
            #expect(PatchParser.parse(body: "above\n\(line)\nbelow\n").discussion.isEmpty, "\(line)")
        }
    }

    @Test func quiltAndCvsNamesAreStrippedLikeGitApply() throws {
        let quilt = "Index: linux/drivers/x.c\n===================================================================\n"
            + "--- linux.orig/drivers/x.c\t2024-01-01 00:00:00.000000000 +0100\n"
            + "+++ linux/drivers/x.c\t2024-01-02 00:00:00.000000000 +0100\n@@ -1 +1 @@\n-a\n+b\n"
        #expect(PatchParser.parse(body: quilt).files.map(\.path) == ["drivers/x.c"])
        // Names without a directory make git apply guess -p0.
        let flat = "--- x.c.orig\t2024-01-01 10:00:00\n+++ x.c\t2024-01-01 11:00:00\n@@ -1 +1 @@\n-a\n+b\n"
        #expect(PatchParser.parse(body: flat).files.map(\.path) == ["x.c"])
        let created = "--- /dev/null\n+++ b/new.c\n@@ -0,0 +1 @@\n+a\n"
        let file = try #require(PatchParser.parse(body: created).files.first)
        #expect((file.status, file.oldPath, file.newPath) == (.added, nil, "new.c"))
        let epoch = "--- a/gone.c\t2024-01-01 10:00:00.000000000 +0000\n+++ b/gone.c\t1970-01-01 00:00:00.000000000 +0000\n"
            + "@@ -1 +0,0 @@\n-a\n"
        #expect(PatchParser.parse(body: epoch).files.first?.status == .deleted)
    }

    @Test func mercurialExport() throws {
        let body = "# HG changeset patch\n# User Jane Doe <jane@example.org>\n# Date 1484800475 18000\n"
            + "# Node ID 0123456789abcdef\nsummary line\n\nDetails.\n\n"
            + "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"
        let patch = PatchParser.parse(body: body)
        #expect(patch.inBodyFrom == MailAddress(name: "Jane Doe", email: "jane@example.org"))
        #expect(patch.inBodyDate == "1484800475 18000")
        #expect(patch.inBodySubject == "summary line")
        #expect(patch.commitMessage == "Details.\n")
        #expect(patch.files.count == 1)
    }

    @Test func indentedRangeDiffAndInterdiffAreNotes() {
        let body = "Cover text.\n---\nRange-diff against v1:\n1:  abc ! 1:  def subject\n"
            + "    @@ Commit message\n    -old\n    +new\nInterdiff against v1:\n  diff --git a/x b/x\n"
            + "  --- a/x\n  +++ b/x\n  @@ -1 +1 @@\n  -a\n  +b\n\nbase-commit: 0123abcd\n"
            + "prerequisite-patch-id: 4567ef\nchange-id: 20240101-topic-0123\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        #expect(patch.files.isEmpty)
        #expect(!PatchParser.containsDiff(body))
        #expect(patch.notes.contains("Interdiff against v1:\n  diff --git a/x b/x\n"))
        #expect(patch.baseCommit == "0123abcd")
        #expect(patch.prerequisitePatchIDs == ["4567ef"])
        #expect(patch.changeID == "20240101-topic-0123")
    }

    @Test func containsDiffTellsPatchesFromCoversAndReplies() {
        #expect(PatchParser.containsDiff("x\ndiff --git a/x b/x\n"))
        #expect(PatchParser.containsDiff("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"))
        #expect(!PatchParser.containsDiff("Cover.\n\n x | 2 +-\n 1 file changed\n"))
        #expect(!PatchParser.containsDiff("On Mon, A wrote:\n> diff --git a/x b/x\n> --- a/x\n> +++ b/x\n> @@ -1 +1 @@\n"))
        #expect(!PatchParser.containsDiff(""))
    }

    @Test func malformedHunkIsKeptWithAWarningAndTheNextFileIsStillRead() throws {
        let body = "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n"
            + "diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-y\n+z\n"
        let patch = PatchParser.parse(body: body)
        #expect(patch.files.map(\.path) == ["x", "y"])
        #expect(patch.files[0].removed == 1 && patch.files[0].added == 1)
        #expect(patch.files[1].added == 1)
        #expect(patch.warnings.count == 1)
        #expect(patch.warnings.first?.hasPrefix("line 9:") == true)
    }

    @Test func limitsStopParsingWithAWarning() {
        let file = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
        let body = "---\n" + String(repeating: file, count: 5)
        let few = PatchParser.parse(body: body, limits: PatchLimits(maxFiles: 3))
        #expect(few.files.count == 3)
        #expect(few.warnings.contains { $0.contains("more than 3 files") })
        let short = PatchParser.parse(body: body, limits: PatchLimits(maxDiffLines: 5))
        #expect(short.files.count == 3)
        #expect(short.warnings.contains { $0.contains("more than 5 diff lines") })
        let longName = "---\n--- a/" + String(repeating: "n", count: 50) + "\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
        #expect(PatchParser.parse(body: longName, limits: PatchLimits(maxPathBytes: 10)).files.map(\.path) == ["x"])
    }

    @Test func hostileInputNeverCrashes() {
        let inputs = ["", "\n", "---", "---\n@@ -1 +1 @@\n", "diff --git \n", "diff --git \"a/\\", "--- \n+++ \n@@ -",
                      "---\ndiff --git a/x b/x\nGIT binary patch\nliteral 5\n!!!\n", "From: \n\n",
                      "---\n--- a/x\n+++ b/x\n@@ -99999999999999999999,1 +1 @@\n-a\n",
                      "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n"]
        for input in inputs {
            _ = PatchParser.parse(body: input)
            _ = PatchParser.containsDiff(input)
        }
        let truncated = PatchParser.parse(body: inputs.last!)
        #expect(truncated.warnings.contains { $0.contains("ends before") })
    }
}
