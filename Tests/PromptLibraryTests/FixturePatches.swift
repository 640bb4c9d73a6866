import Foundation
import PromptLibrary

/// Reads patches out of the shared mail fixtures with just enough parsing for trigger
/// matching (the real parser lives in MboxParser): split mboxrd messages, take the
/// Subject, the commit message above `---`, and the `diff --git` paths and hunk lines.
/// Only plain 8bit/7bit fixtures are used, so no transfer decoding is needed.
enum FixturePatches {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MboxParserTests/Fixtures")

    /// Every message with a diff in `relativePath`, in file order.
    static func load(_ relativePath: String) throws -> [NamedPatchFacts] {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        let text = String(decoding: data, as: UTF8.self)
        var messages: [[Substring]] = [[]]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("From mboxrd@z ") {
                messages.append([])
            } else {
                messages[messages.count - 1].append(line)
            }
        }
        return messages.compactMap(patch(from:))
    }

    private static func patch(from lines: [Substring]) -> NamedPatchFacts? {
        guard let blank = lines.firstIndex(where: { $0.isEmpty }) else { return nil }
        var subject = ""
        var inSubject = false
        for line in lines[..<blank] {
            if line.lowercased().hasPrefix("subject:") {
                subject = line.dropFirst("subject:".count).trimmingCharacters(in: .whitespaces)
                inSubject = true
            } else if inSubject, line.first == " " || line.first == "\t" {
                subject += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                inSubject = false
            }
        }
        let body = lines[(blank + 1)...]
        guard let diffStart = body.firstIndex(where: { $0.hasPrefix("diff --git ") }) else { return nil }
        let messageEnd = body.firstIndex(where: { $0 == "---" }) ?? diffStart
        var facts = PatchFacts(paths: [], commitMessage: subject + "\n\n" + body[..<messageEnd].joined(separator: "\n"))
        var inHunk = false
        for line in body[diffStart...] {
            if line == "-- " { break }
            if line.hasPrefix("diff --git a/"), let split = line.range(of: " b/") {
                for path in [String(line[line.index(line.startIndex, offsetBy: 13)..<split.lowerBound]),
                             String(line[split.upperBound...])] where !facts.paths.contains(path) {
                    facts.paths.append(path)
                }
                inHunk = false
            } else if line.hasPrefix("@@ ") {
                inHunk = true
                if let close = line.range(of: " @@", range: line.index(line.startIndex, offsetBy: 3)..<line.endIndex) {
                    let context = line[close.upperBound...].trimmingCharacters(in: .whitespaces)
                    if !context.isEmpty { facts.contextLines.append(context) }
                }
            } else if inHunk, let marker = line.first {
                let rest = String(line.dropFirst())
                switch marker {
                case "+": facts.addedLines.append(rest)
                case "-": facts.removedLines.append(rest)
                case " ": facts.contextLines.append(rest)
                default: break
                }
            }
        }
        return NamedPatchFacts(title: subject, facts: facts)
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
