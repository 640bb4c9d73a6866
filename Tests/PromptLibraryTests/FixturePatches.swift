import Foundation
import MboxParser
import PromptLibrary

/// Patches from the shared mail fixtures, read by the real mail reader and patch parser.
enum FixturePatches {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MboxParserTests/Fixtures")

    /// Every message with a diff in `relativePath`, in file order.
    static func load(_ relativePath: String) throws -> [NamedPatchFacts] {
        try SeriesMessage.read(path: root.appendingPathComponent(relativePath).path).messages.compactMap { message in
            message.patch.map { NamedPatchFacts(title: message.subject, facts: PatchFacts($0, subject: message.subject)) }
        }
    }

    /// A small ALSA USB driver patch written for these tests: it adds a probe whose
    /// hardware init fails without snd_card_free(), and a disconnect flag tested without
    /// the lock.
    static let syntheticSound = NamedPatchFacts(
        title: "[PATCH] ALSA: usb: foo: add probe and streaming",
        facts: PatchFacts(
            paths: ["sound/usb/foo/foo.c"],
            addedLines: [
                "static int foo_probe(struct usb_interface *intf, const struct usb_device_id *id)",
                "\terr = snd_card_new(&intf->dev, index[0], id[0], THIS_MODULE, sizeof(*chip), &card);",
                "\tif (err < 0)",
                "\t\treturn err;",
                "\terr = foo_hw_init(chip);",
                "\tif (err < 0)",
                "\t\treturn err;",
                "\tif (chip->disconnected)",
                "\t\treturn -ENODEV;",
                "\treturn usb_submit_urb(chip->urb, GFP_ATOMIC);",
            ],
            contextLines: ["#include <sound/core.h>"],
            commitMessage: "ALSA: usb: foo: add probe and streaming\n\nAdd the probe routine and start streaming."))
}
