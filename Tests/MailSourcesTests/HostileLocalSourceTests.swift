import CurlKit
import Foundation
import MboxParser
@testable import MailSources
import Testing

/// Input that is not a file of mail, and password commands that misbehave.
@Suite struct HostileLocalSourceTests {
    /// A maildir holding one good message, a FIFO nobody writes to, and a link to /dev/zero.
    func hostileMaildir() throws -> (dir: URL, good: Data) {
        let dir = try Fixtures.temporaryDirectory()
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let good = Fixtures.messages(ofMboxrd: try Fixtures.data(Fixtures.exynosV1))[0]
        try good.write(to: dir.appendingPathComponent("cur/1700000001.M1P1.host:2,S"))
        #expect(mkfifo(dir.appendingPathComponent("cur/1700000002.fifo:2,").path, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("new/1700000003.zero").path,
                                                   withDestinationPath: "/dev/zero")
        return (dir, good)
    }

    @Test(.timeLimit(.minutes(5)))
    func fetchReadsRegularFilesOnlyAndNamesTheOthers() async throws {
        let (dir, good) = try hostileMaildir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fetched = try MailFetcher.readPath(dir.path)
        #expect(fetched.parts.map(\.bytes) == [good])
        #expect(fetched.notes.contains { $0.contains("1700000002.fifo") && $0.contains("a FIFO, not a regular file") },
                "\(fetched.notes)")
        #expect(fetched.notes.contains { $0.contains("1700000003.zero") && $0.contains("a character device") },
                "\(fetched.notes)")
    }

    @Test(.timeLimit(.minutes(5)))
    func theMailReaderReadsRegularFilesOnlyAndNamesTheOthers() throws {
        let (dir, _) = try hostileMaildir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var read = 0
        var errors: [String] = []
        for result in try Mailbox(path: dir.path) {
            switch result {
            case .success: read += 1
            case .failure(let error): errors.append("\(error)")
            }
        }
        #expect(read == 1)
        #expect(errors.count == 2)
        #expect(errors.contains { $0.contains("1700000002.fifo") && $0.contains("FIFO") }, "\(errors)")
        #expect(errors.contains { $0.contains("1700000003.zero") && $0.contains("character device") }, "\(errors)")
    }

    @Test func aMaildirEntryOverTheMessageLimitIsSkippedUnread() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cur"), withIntermediateDirectories: true)
        let big = dir.appendingPathComponent("cur/1700000001.big:2,")
        // A sparse file: large to stat, nothing to read.
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        #expect(truncate(big.path, off_t(ParserLimits.defaultMaxMessageBytes + 1)) == 0)
        #expect(throws: MailSourceError.self) { try MailFetcher.readPath(dir.path) }
        let results = Array(try Mailbox(path: dir.path))
        #expect(results.count == 1)
        guard case .failure(let error) = results.first else { Issue.record("read an oversized entry"); return }
        #expect(error.code == .messageTooLarge)
    }

    @Test func aNamedFIFOIsStillReadAsAStream() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("stream").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let mbox = try Fixtures.data(Fixtures.exynosV1)
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: fifo)
            handle?.write(mbox)
            try? handle?.close()
        }
        writer.start()
        let fetched = try await onDedicatedThread { try MailFetcher.readPath(fifo) }
        #expect(fetched.parts.first?.bytes == mbox)
        // The mail reader waits for the writer too.
        let again = Thread {
            let handle = FileHandle(forWritingAtPath: fifo)
            handle?.write(mbox)
            try? handle?.close()
        }
        again.start()
        let messages = try await onDedicatedThread { Array(try Mailbox(path: fifo)).count }
        #expect(messages == Fixtures.messages(ofMboxrd: mbox).count)
    }

    // MARK: password_command

    @Test(.timeLimit(.minutes(5)))
    func aHangingPasswordCommandIsStoppedAtItsTimeoutWithWhatItStarted() async throws {
        // Timed on the thread that waits, not by when this task resumes.
        let (error, seconds) = try await onDedicatedThread { () -> (String, Double) in
            let started = Date()
            do {
                _ = try PasswordCommand.firstLine(of: "echo 'waiting for the agent' >&2; sleep 300; echo late",
                                                  environment: [:], what: "[imap] password_command", timeout: 1)
                return ("no error", Date().timeIntervalSince(started))
            } catch {
                return ("\(error)", Date().timeIntervalSince(started))
            }
        }
        #expect(error == "[imap] password_command did not finish within 1s and was stopped: waiting for the agent")
        #expect(seconds < 10)
    }

    @Test func aFailingPasswordCommandShowsItsStderrMadeVisibleAndBounded() throws {
        let error = #expect(throws: MailSourceError.self) {
            try PasswordCommand.firstLine(of: "printf 'gpg: decryption failed: No secret key\\033[2J\\n' >&2; exit 2",
                                          environment: [:], what: "[smtp] password_command")
        }
        #expect(error?.description == "[smtp] password_command failed with status 2: gpg: decryption failed: No secret key^[[2J")
        let long = #expect(throws: MailSourceError.self) {
            try PasswordCommand.firstLine(of: "head -c 100000 /dev/zero | tr '\\0' e >&2; exit 1", environment: [:])
        }
        let text = long?.description ?? ""
        #expect(text.hasSuffix(" [...]") && text.count < PasswordCommand.maxShownErrorBytes + 100, "\(text.count)")
    }

    @Test func thePasswordNeverAppearsInAFailure() throws {
        let secret = "hunter2-\(UUID().uuidString.prefix(6))"
        let error = #expect(throws: MailSourceError.self) {
            try PasswordCommand.firstLine(of: "echo \(secret); echo \"bad token \(secret)\" >&2; exit 1", environment: [:])
        }
        #expect(error?.description.contains(secret) == false, "\(error?.description ?? "")")
        #expect(error?.description.contains(SecretRedactor.placeholder) == true)
    }

    @Test func aCommandThatFloodsStdoutIsRefused() throws {
        let error = #expect(throws: MailSourceError.self) {
            try PasswordCommand.firstLine(of: "cat /dev/zero", environment: [:], timeout: 10)
        }
        #expect(error?.description.contains("printed more than") == true)
    }

    @Test func theFirstLineIsStillThePassword() throws {
        #expect(try PasswordCommand.firstLine(of: "printf 'from-command\\r\\nsecond\\n'; echo noise >&2", environment: [:])
            == "from-command")
    }
}
