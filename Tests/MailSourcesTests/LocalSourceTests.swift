import CurlKit
import Foundation
import MboxParser
@testable import MailSources
import Testing

/// Files, directories and standard input as sources: each yields the raw messages as they
/// are on disk, in a stable order.
@Suite struct LocalSourceTests {
    let mboxFile = Fixtures.root.appendingPathComponent(Fixtures.exynosV1)
    let emlFile = Fixtures.root.appendingPathComponent(Fixtures.watchdog + "single-rename__dd9571be9562f8d31abd17cdd56d123bf25bec17.eml")

    func fetcher(stdin: @escaping @Sendable () -> Data = { Data() }) -> MailFetcher {
        MailFetcher(lore: LoreClient(client: CurlClient(), configuration: LoreConfiguration(baseURL: "http://127.0.0.1:9")),
                    readStandardInput: stdin)
    }

    /// Parses like the command line does, against the real file system.
    func fetch(_ argument: String, stdin: @escaping @Sendable () -> Data = { Data() }) async throws -> FetchedMail {
        try await fetcher(stdin: stdin).fetch(try SourceSpec.parse(argument))
    }

    @Test func mboxFileIsOneMboxPart() async throws {
        let fetched = try await fetch(mboxFile.path)
        #expect(try SourceSpec.parse(mboxFile.path) == .path(mboxFile.path))
        #expect(fetched.parts.count == 1)
        #expect(fetched.parts[0].kind == .mbox)
        #expect(fetched.parts[0].bytes == (try Data(contentsOf: mboxFile)))
        #expect(fetched.mboxrd() == (try Data(contentsOf: mboxFile)))  // already mboxrd: unchanged
    }

    @Test func singleEmlIsOneMessage() async throws {
        let fetched = try await fetch(emlFile.path)
        #expect(fetched.parts.map(\.kind) == [.message])
        #expect(fetched.parts.map(\.bytes) == [try Data(contentsOf: emlFile)])
        #expect(fetched.parts[0].origin == emlFile.path)
    }

    @Test func maildirYieldsCurThenNewInNameOrder() async throws {
        let messages = Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.exynosV1))
        #expect(messages.count >= 4)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // Maildir names carry no extension; cur/ names have flags after ":2,".
        try messages[0].write(to: dir.appendingPathComponent("cur/1700000001.M1P1.host:2,S"))
        try messages[1].write(to: dir.appendingPathComponent("cur/1700000002.M2P1.host:2,"))
        try messages[2].write(to: dir.appendingPathComponent("new/1700000003.M3P1.host"))
        try messages[3].write(to: dir.appendingPathComponent("tmp/1700000004.M4P1.host"))  // being delivered
        try Data("x".utf8).write(to: dir.appendingPathComponent("cur/.hidden"))
        let fetched = try await fetch(dir.path)
        #expect(fetched.parts.map(\.bytes) == Array(messages[0..<3]))
        #expect(fetched.parts.allSatisfy { $0.kind == .message })
        #expect(fetched.mboxrd() == FetchedMail(parts: messages[0..<3].map { .init(kind: .message, bytes: $0, origin: "") }).mboxrd())
    }

    @Test func directoryOfPatchFilesInNameOrderSkippingOthers() async throws {
        let messages = Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.exynosV1)).prefix(3)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // As git format-patch writes them: a `From <sha> <magic date>` line, then the mail.
        let files = messages.enumerated().map { index, message in
            (String(format: "%04d-watchdog-change-%d.patch", index + 1, index + 1),
             Data("From 4b0c5e6d9a0f1e2d3c4b5a69788796a5b4c3d2e1 Mon Sep 17 00:00:00 2001\n".utf8) + message)
        }
        for (name, data) in files.reversed() { try data.write(to: dir.appendingPathComponent(name)) }
        try Data("notes\n".utf8).write(to: dir.appendingPathComponent("README"))
        let fetched = try await fetch(dir.path)
        #expect(fetched.parts.map(\.bytes) == files.map(\.1))
        #expect(fetched.parts.map { URL(fileURLWithPath: $0.origin).lastPathComponent } == files.map(\.0))
        #expect(fetched.parts.allSatisfy { $0.kind == .mbox })
        #expect(fetched.notes == ["skipped \(dir.appendingPathComponent("README").path): not a mail file (.eml, .mbox, .patch)"])
    }

    @Test func standardInputThroughAPipe() async throws {
        let mbox = try Data(contentsOf: mboxFile)
        let eml = try Data(contentsOf: emlFile)
        for (input, kind) in [(mbox, FetchedMail.Part.Kind.mbox), (eml, .message)] {
            let pipe = Pipe()
            let reader = pipe.fileHandleForReading
            // Written from another thread while the fetcher reads: larger than a pipe buffer.
            let writer = Thread {
                pipe.fileHandleForWriting.write(input)
                try? pipe.fileHandleForWriting.close()
            }
            writer.start()
            let fetched = try await fetch("-", stdin: { reader.readDataToEndOfFile() })
            #expect(fetched.parts.map(\.kind) == [kind])
            #expect(fetched.parts.map(\.bytes) == [input])
            #expect(fetched.parts[0].origin == "-")
        }
        #expect(mbox.count > 65_536)
    }

    @Test func missingOrEmptyPathsAreUsageErrors() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        await #expect {
            try await fetch(dir.path)
        } throws: { ($0 as? MailSourceError)?.kind == .usage && "\($0)" == "no mail files in \(dir.path)" }
        #expect {
            try SourceSpec.parse(dir.appendingPathComponent("missing.mbox").path)
        } throws: { ($0 as? MailSourceError)?.kind == .usage }
    }
}

/// `reviewbot fetch` writes mboxrd whatever mbox dialect it read.
@Suite struct MboxrdConversionTests {
    @Test func mboxoFromGitFormatPatchBecomesMboxrdWithTheSameMessages() throws {
        // git format-patch output (mboxo): a body line starting ">From " is literal text.
        let first = "From: A <a@example.org>\nSubject: [PATCH 1/2] x\n\nbody\n>From the top\nFrom here on\n"
        let second = "From: A <a@example.org>\nSubject: [PATCH 2/2] y\n\nmore\n"
        let mboxo = "From 1234567890abcdef Mon Sep 17 00:00:00 2001\n" + first
            + "\nFrom 1234567890abcdef Mon Sep 17 00:00:00 2001\n" + second
        let fetched = FetchedMail(parts: [.init(kind: .mbox, bytes: Data(mboxo.utf8), origin: "x.mbox")])
        let out = fetched.mboxrd()
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("From mboxrd@z Thu Jan  1 00:00:00 1970\n"))
        #expect(text.contains("\n>>From the top\n"))
        #expect(text.contains("\n>From here on\n"))
        let again = Mailbox.rawMessages(in: [UInt8](out), name: "out").map { try? $0.get().bytes }
        let original = Mailbox.rawMessages(in: [UInt8](mboxo.utf8), name: "in").map { try? $0.get().bytes }
        #expect(again.count == 2)
        #expect(again == original)
    }
}
