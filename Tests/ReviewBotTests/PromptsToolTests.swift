import Foundation
import MboxParser
import Testing
@testable import ReviewBotKit

@Suite struct PromptsToolTests {
    let tool: PromptsTool

    init() throws { tool = try PromptsTool(promptsDirectory: nil, environment: ["HOME": "/nonexistent"]) }

    @Test func listAndShowUseTheBundledFiles() throws {
        let listing = tool.list()
        #expect(listing.hasPrefix("core "))
        #expect(listing.contains("sound                 subsystem  subsystems/sound.md\n"))
        let sound = try tool.show("subsystems/sound.md")
        #expect(sound.hasPrefix("# subsystems/sound.md\nname: sound\nkind: subsystem\n"))
        #expect(sound.contains("  - path: sound/**\n"))
        #expect(sound.contains("snd_card_free()"))
    }

    @Test func matchReportsEachPatchWithReasons() throws {
        let hunk = Hunk(oldStart: 1, oldCount: 0, newStart: 1, newCount: 1,
                        lines: [DiffLine(kind: .added, text: "\tpriv->base = devm_platform_ioremap_resource(pdev, 0);")])
        let patch = Patch(files: [FileDiff(oldPath: "drivers/watchdog/foo_wdt.c", newPath: "drivers/watchdog/foo_wdt.c",
                                           status: .modified, hunks: [hunk])])
        let report = try tool.match([(subject: "[PATCH] watchdog: foo: map registers", patch: patch)])
        #expect(report.hasPrefix("[PATCH] watchdog: foo: map registers\n"))
        #expect(report.contains("  subsystems/watchdog.md\n    line 5: path drivers/watchdog/** -> drivers/watchdog/foo_wdt.c\n"))
        #expect(report.contains("'devm_platform_ioremap_resource' in added line"))
        #expect(report.contains("  prefix: "))
    }
}
