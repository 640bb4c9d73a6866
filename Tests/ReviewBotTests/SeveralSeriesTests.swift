import Foundation
import MboxParser
import PromptLibrary
import Testing
@testable import ReviewBotKit

/// A mailbox holding several series: every one is listed, none is picked silently, and a
/// selection (`--msgid`, `--match`, `--all`) names which; `--revision` applies to it.
@Suite struct SeveralSeriesTests {
    static let watchdog = EndToEndReviewTests.fixtures.appendingPathComponent("linux-mailinglist-archives__linux-watchdog")
    static let exynosV1Cover = "20211028183527.3050-1-semen.protsenko@linaro.org"
    static let exynosV2Cover = "20211031122216.30212-1-semen.protsenko@linaro.org"
    static let rzg2lCover = "20240410134044.2138310-1-claudiu.beznea.uj@bp.renesas.com"

    /// exynos850 v1 and v2 (one series, two revisions) and rzg2l (another series) in one mbox.
    static func mailbox() throws -> String {
        var data = Data()
        for name in ["thread-exynos850-wdt-v1.mbox", "thread-rzg2l-wdt-RESEND-v8.mbox", "thread-exynos850-wdt-v2.mbox"] {
            data += try Data(contentsOf: watchdog.appendingPathComponent(name))
            if data.last != 0x0A { data.append(0x0A) }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rb-several-\(UUID().uuidString).mbox")
        try data.write(to: file)
        return file.path
    }

    var reader: SourceReader { SourceReader(configuration: Configuration(), environment: ["HOME": "/nonexistent"]) }

    @Test func seriesListsEverySeriesWithWhatSelectsIt() async throws {
        let source = try Self.mailbox()
        let outcome = try await SeriesReport.run(.init(source: source), reader: reader)
        #expect(outcome.exitCode == 0)
        #expect(outcome.output.hasPrefix("2 series in \(source); pick one with --msgid ID or --match REGEX:\n"))
        #expect(outcome.output.contains("1. v2 watchdog: s3c2410: Add Exynos850 support\n"))
        #expect(outcome.output.contains("Sam Protsenko <semen.protsenko@linaro.org>; 12 of 12 patches, complete; also v1\n"))
        #expect(outcome.output.contains("--msgid \(Self.exynosV2Cover)\n"))
        #expect(outcome.output.contains("2. v8 watchdog: rzg2l_wdt: Add support for RZ/G3S\n"))
        #expect(outcome.output.contains("--msgid \(Self.rzg2lCover)\n"))

        let json = try await SeriesReport.run(.init(source: source, json: true), reader: reader)
        let list = try #require((try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["series"]
            as? [[String: Any]])
        #expect(list.map { $0["messageId"] as? String } == [Self.exynosV2Cover, Self.rzg2lCover])
        #expect(list.map { $0["complete"] as? Bool } == [true, true])
    }

    @Test func planAndReviewNeverPickSilently() async throws {
        let source = try Self.mailbox()
        do {
            _ = try await PreparedReview.prepare(ReviewSelection(source: source), reader: reader,
                                                 library: try PromptLibrary.load())
            Issue.record("a series was picked out of several")
        } catch let error as SeveralSeriesError {
            #expect(error.message.contains("holds 2 series"))
            #expect(error.catalog.entries.count == 2)
            #expect(ReviewBotError.kind(of: error) == .usage)
        }
    }

    @Test func msgidAndMatchPickOneAndRevisionAppliesToIt() async throws {
        let source = try Self.mailbox()
        let library = try PromptLibrary.load()
        let byID = try await PreparedReview.prepare(ReviewSelection(source: source, messageID: "<\(Self.rzg2lCover)>"),
                                                    reader: reader, library: library)
        #expect(byID.seriesTitle == "watchdog: rzg2l_wdt: Add support for RZ/G3S")
        let byMatch = try await PreparedReview.prepare(ReviewSelection(source: source, match: "EXYNOS850"),
                                                       reader: reader, library: library)
        #expect(byMatch.series.revision == 2)
        #expect(byMatch.patches.count == 12)
        let older = try await PreparedReview.prepare(ReviewSelection(source: source, version: 1, match: "exynos850"),
                                                     reader: reader, library: library)
        #expect(older.series.revision == 1)
        #expect(older.patches.count == 7)
        await #expect(throws: ReviewBotError.self) {
            _ = try await PreparedReview.prepare(ReviewSelection(source: source, version: 8, match: "exynos"),
                                                 reader: reader, library: library)
        }
        await #expect(throws: SeveralSeriesError.self) {
            _ = try await PreparedReview.prepare(ReviewSelection(source: source, match: "watchdog"),
                                                 reader: reader, library: library)
        }
        await #expect(throws: SeveralSeriesError.self) {
            _ = try await PreparedReview.prepare(ReviewSelection(source: source, match: "no such series"),
                                                 reader: reader, library: library)
        }
    }

    @Test func allPreparesEveryCompleteSeriesApart() async throws {
        let source = try Self.mailbox()
        let found = try await PreparedReview.prepareAll(ReviewSelection(source: source), reader: reader,
                                                        library: try PromptLibrary.load())
        #expect(found.reviews.map(\.review.seriesTitle) == ["watchdog: s3c2410: Add Exynos850 support",
                                                            "watchdog: rzg2l_wdt: Add support for RZ/G3S"])
        #expect(found.reviews.map { "\($0.entry.number)-\($0.entry.slug)" }
            == ["1-watchdog-s3c2410-add-exynos850-support", "2-watchdog-rzg2l-wdt-add-support-for-rz-g3s"])
        #expect(found.incomplete.isEmpty)
    }

    @Test func aSourceOfOneSeriesNeedsNoChoice() async throws {
        let one = Self.watchdog.appendingPathComponent("thread-exynos850-wdt-v2.mbox").path
        let outcome = try await SeriesReport.run(.init(source: one), reader: reader)
        #expect(outcome.output.hasPrefix("v2: 12 of 12 patches, complete\n"))
    }
}
