import Foundation
import Testing
@testable import MboxParser

/// MAINTAINERS entries and their file patterns, matched as scripts/get_maintainer.pl does.
@Suite struct MaintainersFileTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/maintainers/MAINTAINERS-6.1-trimmed.txt").path

    @Test func readsTheEntriesAndNotTheProse() throws {
        let file = try MaintainersFile(path: Self.fixture)
        #expect(file.entries.map(\.title) == [
            "ABI/API", "ANALOG DEVICES INC IIO DRIVERS", "ARM/Allwinner sunXi SoC support", "NETWORKING DRIVERS",
            "SOUND", "SOUND - SOC LAYER / DYNAMIC AUDIO POWER MANAGEMENT (ASoC)", "WATCHDOG DEVICE DRIVERS",
        ])
        let sound = try file.entry(titled: "sound").get()
        #expect(sound.values("F") == ["Documentation/sound/", "include/sound/", "include/uapi/sound/", "sound/",
                                      "tools/testing/selftests/alsa"])
        #expect(sound.values("L") == ["alsa-devel@alsa-project.org (moderated for non-subscribers)"])
        #expect(sound.values("M").count == 2)
    }

    @Test func aMistypedEntryGetsSuggestions() throws {
        let file = try MaintainersFile(path: Self.fixture)
        guard case .failure(let missing) = file.entry(titled: "SOUN") else {
            Issue.record("SOUN found")
            return
        }
        #expect(missing.suggestions == ["SOUND", "SOUND - SOC LAYER / DYNAMIC AUDIO POWER MANAGEMENT (ASoC)"])
    }

    @Test func aDirectoryPatternTakesEverythingBelowIt() throws {
        let sound = try MaintainersFile(path: Self.fixture).entry(titled: "SOUND").get().filePatterns.compiled()
        #expect(sound.matches("sound/core/pcm.c"))
        #expect(sound.matches("sound/soc/codecs/wm8904.c"))
        #expect(sound.matches("include/uapi/sound/asound.h"))
        // Named without its slash, as get_maintainer.pl reads it against a tree.
        #expect(sound.matches("tools/testing/selftests/alsa/mixer-test.c"))
        #expect(!sound.matches("drivers/net/ethernet/intel/e1000/e1000_main.c"))
        #expect(!sound.matches("soundwire/bus.c"))
        #expect(!sound.matches("include/soundwire/sdw.h"))
    }

    @Test func aStarStaysInItsDirectoryUnlessThePatternEndsInASlash() throws {
        let patterns = try FilePatterns(files: ["drivers/net/*", "include/sound/soc*", "arch/*/boot/"]).compiled()
        #expect(patterns.matches("drivers/net/loopback.c"))
        #expect(!patterns.matches("drivers/net/ethernet/intel/e1000/e1000_main.c"), "* is one level for F: without /")
        #expect(patterns.matches("include/sound/soc-dapm.h"))
        #expect(!patterns.matches("include/sound/hda.h"))
        #expect(patterns.matches("arch/arm64/boot/dts/allwinner/sun50i-a64.dtsi"))
        #expect(!patterns.matches("arch/arm64/kernel/setup.c"))
    }

    @Test func questionMarkIsOneCharacter() throws {
        let patterns = try FilePatterns(files: ["drivers/gpu/drm/i91?/i915_drv.c"]).compiled()
        #expect(patterns.matches("drivers/gpu/drm/i915/i915_drv.c"))
        #expect(!patterns.matches("drivers/gpu/drm/i9155/i915_drv.c"))
    }

    @Test func excludedPathsWinOverIncludedOnes() throws {
        let file = try MaintainersFile(path: Self.fixture)
        let adi = try file.entry(titled: "ANALOG DEVICES INC IIO DRIVERS").get().filePatterns.compiled()
        #expect(adi.matches("drivers/iio/adc/ad7124.c"))
        #expect(!adi.matches("drivers/iio/light/adjd_s311.c"), "X: drivers/iio/*/adjd* excludes it")
        let abi = try file.entry(titled: "ABI/API").get().filePatterns.compiled()
        #expect(abi.matches("kernel/sys_ni.c"))
        #expect(!abi.matches("include/uapi/linux/if.h"))
    }

    @Test func nLinesAreRegularExpressionsAnywhereInThePath() throws {
        let sunxi = try MaintainersFile(path: Self.fixture).entry(titled: "ARM/Allwinner sunXi SoC support").get()
            .filePatterns.compiled()
        #expect(sunxi.matches("drivers/clk/sunxi-ng/ccu-sun8i-h3.c"))
        #expect(sunxi.matches("drivers/phy/allwinner/phy-sun4i-usb.c"), "N: allwinner")
        #expect(sunxi.matches("drivers/rtc/rtc-sun6i.c"), "N: sun[x456789]i")
        #expect(!sunxi.matches("drivers/rtc/rtc-sun3i.c"))
    }

    @Test func badPatternsAreRefusedWithTheReason() {
        #expect(throws: FilePatterns.Problem.self) { try FilePatterns(regexes: ["sun[x"]).compiled() }
        #expect(throws: FilePatterns.Problem.self) {
            try FilePatterns(files: [String(repeating: "a", count: FilePatterns.maxPatternLength + 1)]).compiled()
        }
    }

    @Test func fieldsBeforeAnyTitleBelongToNothing() {
        let file = MaintainersFile(text: "F:\tstray/\n\nFOO\nM:\tA <a@example.org>\nF:\tfoo/\n\nBAR\n\n")
        #expect(file.entries.map(\.title) == ["FOO"], "BAR has no fields; the stray F: has no entry")
    }
}
