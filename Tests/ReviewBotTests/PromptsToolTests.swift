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

    @Test func matchReportsEachPatchWithReasons() async throws {
        let reader = SourceReader(configuration: Configuration(), environment: ["HOME": "/nonexistent"])
        let prepared = try await PreparedReview.prepare(ReviewSelection(source: ReviewFlowTests.exynos), reader: reader,
                                                        library: tool.library)
        let report = tool.match(prepared)
        #expect(report.hasPrefix("[PATCH 1/7] dt-bindings: watchdog: Require samsung,syscon-phandle for Exynos7\n"))
        #expect(report.contains("  subsystems/watchdog.md\n    line 5: path drivers/watchdog/** -> drivers/watchdog/s3c2410_wdt.c\n"))
        #expect(report.contains("  prefix: about "))
    }
}
