import Foundation
import ReviewEngine
@testable import ReviewBotKit
import Testing

/// The output directory never loses the maintainer's work and never mixes two reviews.
@Suite struct OutputDirectoryTests {
    static let date = Date(timeIntervalSince1970: 1_700_000_000)
    static let review = TestDirectories.review

    static func files(_ version: String, patches: [Int] = [1, 2, 3]) -> [OutputFile] {
        patches.map { n in
            OutputFile(name: String(format: "%04d.eml", n),
                       data: Data("From: r@example.org\nTo: a@example.org\nMessage-ID: <\(version)-\(n)@example.org>\n\n\(version) draft \(n)\n".utf8),
                       messageID: "<\(version)-\(n)@example.org>", patchMessageID: "patch-\(n)@example.org")
        } + [OutputFile(name: "report.md", data: Data("\(version) report\n".utf8))]
    }

    func text(_ dir: URL, _ name: String) -> String? {
        (try? Data(contentsOf: dir.appendingPathComponent(name))).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func anEditedDraftIsKeptAndADeletedOneNotBroughtBack() throws {
        let dir = try TestDirectories.make("out-edit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = OutputDirectory(dir)
        try out.write(Self.files("v1"), review: Self.review, force: false, date: Self.date)
        try Data("my edited reply\n".utf8).write(to: dir.appendingPathComponent("0001.eml"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("0002.eml"))

        let notes = try out.write(Self.files("v2"), review: Self.review, force: false, date: Self.date)
        #expect(text(dir, "0001.eml") == "my edited reply\n")
        #expect(text(dir, "0002.eml") == nil)
        #expect(text(dir, "0003.eml")?.contains("v2 draft 3") == true)
        #expect(text(dir, "report.md") == "v2 report\n")
        #expect(notes.contains("kept your edited 0001.eml; the new version was not written (--force writes it and keeps yours aside)"))
        #expect(notes.contains("did not bring back 0002.eml, which you deleted (--force brings it back)"))
        // And again: the edit is still recognised as one, the deletion still stands.
        try out.write(Self.files("v3"), review: Self.review, force: false, date: Self.date)
        #expect(text(dir, "0001.eml") == "my edited reply\n")
        #expect(text(dir, "0002.eml") == nil)
        // send takes the kept edit as the draft of patch 1.
        let manifest = try #require(try OutputManifest.read(in: dir))
        #expect(manifest.drafts.map(\.name) == ["0001.eml", "0002.eml", "0003.eml"])

        // --force writes the new ones and keeps the edit aside.
        let forced = try out.write(Self.files("v4"), review: Self.review, force: true, date: Self.date)
        #expect(text(dir, "0001.eml")?.contains("v4 draft 1") == true)
        #expect(text(dir, "0002.eml")?.contains("v4 draft 2") == true)
        let aside = try #require(forced.first { $0.hasPrefix("set aside in ") })
        let asideDir = String(aside.dropFirst("set aside in ".count).prefix { $0 != ":" })
        #expect(text(URL(fileURLWithPath: asideDir), "0001.eml") == "my edited reply\n")
    }

    @Test func anotherReviewSetsTheOldDraftsAsideSoTheyCannotBeMixed() throws {
        let dir = try TestDirectories.make("out-other")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = OutputDirectory(dir)
        try out.write(Self.files("seriesA"), review: Self.review, force: false, date: Self.date)
        let other = ReviewIdentity(series: "change-id:20250101-other", revision: 1, title: "other series")
        // Series B has a draft for patch 1 only: A's 0002.eml and 0003.eml must not linger.
        let notes = try out.write(Self.files("seriesB", patches: [1]), review: other, force: false, date: Self.date)
        let eml = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".eml") }
        #expect(eml == ["0001.eml"])
        #expect(text(dir, "0001.eml")?.contains("seriesB") == true)
        #expect(notes.contains { $0.contains("held the review of 'watchdog: s3c2410: Add Exynos850 support' v1") })
        #expect(try OutputManifest.read(in: dir)?.review == other)
        #expect(try OutputManifest.read(in: dir)?.drafts.map(\.name) == ["0001.eml"])

        // Had the maintainer edited one of A's drafts, nothing happens without --force.
        try out.write(Self.files("seriesA"), review: Self.review, force: true, date: Self.date)
        try Data("edited A\n".utf8).write(to: dir.appendingPathComponent("0002.eml"))
        let before = try TestDirectories.snapshot(dir)
        #expect {
            try out.write(Self.files("seriesB", patches: [1]), review: other, force: false, date: Self.date)
        } throws: { error in
            let error = error as? ReviewBotError
            return error?.kind == .usage && error?.description.contains("0002.eml (edited)") == true
                && error?.description.contains("--force") == true
        }
        #expect(try TestDirectories.snapshot(dir) == before)
        // The check before a review (no request sent yet) says the same.
        #expect(throws: ReviewBotError.self) { try out.check(review: other, force: false) }
        try out.check(review: other, force: true)
        try out.check(review: Self.review, force: false)
    }

    @Test func filesNoManifestAccountsForAreNotOverwritten() throws {
        let dir = try TestDirectories.make("out-legacy")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A directory an older reviewbot wrote, or the maintainer's own files.
        try Data("old draft, maybe edited\n".utf8).write(to: dir.appendingPathComponent("0001.eml"))
        try Data("my notes\n".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        #expect(throws: ReviewBotError.self) {
            try OutputDirectory(dir).write(Self.files("new"), review: Self.review, force: false, date: Self.date)
        }
        #expect(text(dir, "0001.eml") == "old draft, maybe edited\n")
        try OutputDirectory(dir).write(Self.files("new"), review: Self.review, force: true, date: Self.date)
        #expect(text(dir, "0001.eml")?.contains("new draft 1") == true)
        #expect(text(dir, "notes.txt") == "my notes\n", "files that are not output are never touched")
    }

    /// A full disk cannot be made without privileges, so the writer fails the way one does
    /// (ENOSPC) after two files: DIR must be exactly as it was, and the error exit 3.
    @Test func aFailureWhileWritingLeavesThePreviousContentsIntact() throws {
        let dir = try TestDirectories.make("out-full")
        defer { try? FileManager.default.removeItem(at: dir) }
        try OutputDirectory(dir).write(Self.files("old"), review: Self.review, force: false, date: Self.date)
        let before = try TestDirectories.snapshot(dir)

        let written = TestCounter()
        let fullDisk = FileWriter { data, url in
            guard written.next() < 2 else { throw POSIXError(.ENOSPC) }
            try FileWriter.system.write(data, url)
        }
        for review in [Self.review, ReviewIdentity(series: "other", revision: 1, title: "other")] {
            written.reset()
            #expect {
                try OutputDirectory(dir, writer: fullDisk).write(Self.files("new"), review: review, force: false, date: Self.date)
            } throws: { error in
                let error = error as? ReviewBotError
                return error?.kind == .unavailable
                    && error?.description == "cannot write \(dir.path): No space left on device; nothing in it was changed"
            }
            #expect(try TestDirectories.snapshot(dir) == before)
            let metadata = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".reviewbot").path)
            #expect(metadata == ["manifest.json"], "no staging directory left behind")
        }
    }

    @Test func theManifestRecordsEachFilesHashAndTheReview() throws {
        let dir = try TestDirectories.make("out-manifest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = Self.files("v1")
        try OutputDirectory(dir).write(files, review: Self.review, force: false, date: Self.date)
        let manifest = try #require(try OutputManifest.read(in: dir))
        #expect(manifest.review == Self.review)
        #expect(manifest.writtenAt == Self.date)
        #expect(manifest.files.map(\.name) == files.map(\.name).sorted())
        for file in files {
            #expect(manifest.file(file.name)?.sha256 == ContentDigest.sha256(file.data))
            #expect(manifest.file(file.name)?.messageID == file.messageID)
        }
    }
}

/// A counter the file-writer seam can share across threads.
final class TestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { defer { value += 1 }; return value } }
    func reset() { lock.withLock { value = 0 } }
}
