import MboxParser
import Testing
@testable import PromptLibrary

@Suite struct PatchFactsTests {
    @Test func collectsPathsLinesAndMessageFromParsedPatch() throws {
        let hunk = Hunk(oldStart: 10, oldCount: 3, newStart: 10, newCount: 4, functionContext: "static int foo_probe(struct usb_interface *intf)",
                        lines: [
                            DiffLine(kind: .context, text: "\tint err;"),
                            DiffLine(kind: .removed, text: "\treturn 0;"),
                            DiffLine(kind: .added, text: "\terr = snd_card_new(&intf->dev, -1, NULL, THIS_MODULE, 0, &card);"),
                            DiffLine(kind: .added, text: "\treturn err;"),
                            DiffLine(kind: .noNewlineMarker, text: " No newline at end of file"),
                        ])
        let patch = Patch(commitMessage: "Add a probe.\n\nSigned-off-by: A <a@example.org>",
                          files: [
                              FileDiff(oldPath: "sound/usb/old.c", newPath: "sound/usb/foo.c", status: .renamed, hunks: [hunk]),
                              FileDiff(oldPath: nil, newPath: "sound/usb/Kconfig", status: .added),
                              FileDiff(oldPath: "sound/usb/foo.c", newPath: "sound/usb/foo.c", status: .modified),
                          ])
        let facts = PatchFacts(patch, subject: "ALSA: usb: foo: add probe")
        #expect(facts.paths == ["sound/usb/old.c", "sound/usb/foo.c", "sound/usb/Kconfig"])
        #expect(facts.addedLines.count == 2)
        #expect(facts.removedLines == ["\treturn 0;"])
        #expect(facts.contextLines == ["static int foo_probe(struct usb_interface *intf)", "\tint err;"])
        #expect(facts.commitMessage.hasPrefix("ALSA: usb: foo: add probe\n\nAdd a probe."))

        let matched = try PromptLibrary.load().matches(for: facts).map(\.file.name)
        #expect(matched.contains("sound"))
        #expect(matched.contains("error-path-leaks"))
    }
}
