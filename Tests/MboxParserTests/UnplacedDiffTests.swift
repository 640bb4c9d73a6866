import Testing
@testable import MboxParser

/// Diffs that do not parse: every line no hunk could take is recorded with its reason, so
/// a review lists it as not reviewed instead of counting the patch as read.
@Suite struct UnplacedDiffTests {
    static let head = "Fix it.\n\nSigned-off-by: A U Thor <author@example.org>\n---\n"
        + "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"
    static let signature = "-- \n2.39.5\n"

    @Test func linesBeyondAHunksCountsAreUnplacedAndTheNextHunkIsStillRead() throws {
        // The old side claims 999999999 lines, the new side one: the second added line
        // fits nowhere.
        let body = Self.head + "@@ -1,999999999 +1 @@\n a\n-b\n+c\n+d\n"
            + "@@ -20,2 +20,2 @@ int later(void)\n x\n-y\n+z\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        let file = try #require(patch.files.first)
        #expect(file.hunks.count == 2, "the hunk after the broken one is still read")
        #expect(file.hunks[1].lines.map(\.patchText) == [" x", "-y", "+z"])
        let unplaced = try #require(patch.unplaced.first)
        #expect(patch.unplaced.count == 1)
        #expect(unplaced.file == "x.c")
        #expect(unplaced.cause == .counts)
        #expect(unplaced.lineCount == 2 && unplaced.changedLineCount == 2)
        #expect(unplaced.firstLine == 12, "body line of '+c'")
        #expect(patch.mangling == nil)
        #expect(patch.trailingText == Self.signature)
    }

    @Test func aHunkHeaderWhoseCountOverflowsIsUnplacedNotIgnored() throws {
        let body = Self.head + "@@ -1,99999999999999999999 +1 @@\n a\n-b\n+c\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        let unplaced = try #require(patch.unplaced.first)
        #expect(unplaced.cause == .unreadableHeader)
        #expect(unplaced.lineCount == 4 && unplaced.changedLineCount == 2)
        #expect(patch.warnings.contains { $0.contains("does not parse") })
    }

    @Test func aPatchCutMidHunkSaysWhatIsMissing() throws {
        let body = Self.head + "@@ -1,5 +1,6 @@\n a\n-b\n+c\n"
        let patch = PatchParser.parse(body: body)
        let unplaced = try #require(patch.unplaced.first)
        #expect(unplaced.cause == .truncated)
        #expect(unplaced.lineCount == 0)
        #expect(unplaced.reason.contains("3 old and 4 new lines"))
    }

    @Test func noBreakSpacesInsteadOfSpacesNameAMangledPatch() throws {
        // A format=flowed mailer turned every leading space into U+00A0: nothing parses.
        let body = Self.head + "@@ -10,4 +10,5 @@ static int foo(void)\n\u{A0}\tint a;\n\u{A0}\tint b;\n+\tint c;\n"
            + "\u{A0}\treturn 0;\n\u{A0}}\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        #expect(patch.mangling == .whitespaceDamaged)
        let unplaced = try #require(patch.unplaced.first)
        #expect(unplaced.lineCount == 5 && unplaced.changedLineCount == 1)
        #expect(unplaced.reason.contains("no-break space"))
        #expect(patch.files.first?.added == 0, "no line of the damaged hunk is taken as reviewed code")
    }

    @Test func aWrappedLineInsideAHunkNamesALineWrappedPatch() throws {
        let body = Self.head + "@@ -1,2 +1,3 @@\n a\n+\tpr_err(\"a very long message that the mail client\n"
            + "wrapped here\");\n b\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        #expect(patch.mangling == .lineWrapped)
    }

    @Test func aHunkWithoutAFileHeaderIsUnplaced() throws {
        let body = "Fix it.\n---\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        #expect(patch.files.isEmpty)
        let unplaced = try #require(patch.unplaced.first)
        #expect(unplaced.cause == .noFileHeader)
        #expect(unplaced.changedLineCount == 2)
    }

    @Test func aWellFormedPatchHasNothingUnplaced() {
        let body = Self.head + "@@ -1,2 +1,2 @@\n-old\n+new\n same\n" + Self.signature
        let patch = PatchParser.parse(body: body)
        #expect(patch.unplaced.isEmpty)
        #expect(patch.mangling == nil)
    }
}
