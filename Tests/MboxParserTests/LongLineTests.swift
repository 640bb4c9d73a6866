import Foundation
import Testing
@testable import MboxParser

/// A single line without end, wherever it sits: the reader keeps its memory to one message
/// plus one kept line, reports the oversized message by number, and reads on. (Time is
/// linear too; `scripts/bench-longline` shows it, 100 MB against 400 MB.) Reading runs on
/// its own thread, so several megabytes of a debug build's scanning never hold up the
/// cooperative pool other tests' timeouts depend on.
@Suite struct LongLineTests {
    static let limits = ParserLimits(maxLineBytes: 64 << 10, maxMessageBytes: 256 << 10)
    /// What the reader may hold: one message, one kept line, and its read-ahead.
    static let memoryBound = limits.maxMessageBytes + limits.maxLineBytes + 4 * MboxStreamReader.chunkBytes
    /// Twice the memory bound: the reader of old held all of it.
    static let lineBytes = 8 << 20

    let good = "Subject: fine\nMessage-ID: <ok@example.org>\n\nA body.\n"
    let separator = "From mboxrd@z Thu Jan  1 00:00:00 1970\n"

    /// Every message or error of `data`, and the most memory the reader held.
    func read(_ data: Data) async throws -> (results: [Result<RawMessage, MboxParserError>], capacity: Int) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Self.readNow(data) }) }.start()
        }
    }

    static func readNow(_ data: Data) throws -> (results: [Result<RawMessage, MboxParserError>], capacity: Int) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("longline-\(UUID().uuidString)")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let fd = open(url.path, O_RDONLY)
        let reader = MboxStreamReader(fd: fd, file: url.path, ownsDescriptor: true, format: .automatic, limits: limits)
        var results: [Result<RawMessage, MboxParserError>] = []
        var capacity = 0
        while let item = reader.next() {
            results.append(item)
            capacity = max(capacity, reader.bufferCapacity)
        }
        return (results, max(capacity, reader.bufferCapacity))
    }

    func codes(_ results: [Result<RawMessage, MboxParserError>]) -> [String] {
        results.map { result in
            switch result {
            case .success: "ok"
            case .failure(let error): error.code == .messageTooLarge ? "too large #\(error.location?.number ?? 0)" : "\(error)"
            }
        }
    }

    @Test func aFileThatIsOneLineIsOneOversizedMessage() async throws {
        let (results, capacity) = try await read(Data(repeating: UInt8(ascii: "x"), count: Self.lineBytes))
        #expect(codes(results) == ["too large #1"])
        #expect(capacity <= Self.memoryBound, "\(capacity)")
    }

    @Test func aLongLineInsideAnMboxCostsOnlyItsOwnMessage() async throws {
        var data = Data((separator + good + "\n" + separator + "Subject: long\n\n").utf8)
        data.append(Data(repeating: UInt8(ascii: "y"), count: Self.lineBytes))
        data.append(Data(("\n\n" + separator + good).utf8))
        let (results, capacity) = try await read(data)
        #expect(codes(results) == ["ok", "too large #2", "ok"])
        #expect(capacity <= Self.memoryBound, "\(capacity)")
        #expect(try results[2].get().bytes == Array(good.utf8))
    }

    @Test func aFirstLineThatStartsLikeASeparatorButNeverEnds() async throws {
        var data = Data("From ".utf8)
        data.append(Data(repeating: UInt8(ascii: "z"), count: Self.lineBytes))
        let (results, capacity) = try await read(data)
        #expect(codes(results) == ["too large #1"])
        #expect(capacity <= Self.memoryBound, "\(capacity)")
    }

    @Test func blankLinesWithoutEndBeforeAnything() async throws {
        let (results, capacity) = try await read(Data(repeating: UInt8(ascii: "\n"), count: Self.lineBytes))
        #expect(codes(results) == ["too large #1"])
        #expect(capacity <= Self.memoryBound, "\(capacity)")
    }

    @Test func aHugeLineAfterALooseSeparator() async throws {
        // patchew-style `From A` separators are judged by the line after them.
        var data = Data(("From A\n" + good + "\nFrom B\nX-Long: ").utf8)
        data.append(Data(repeating: UInt8(ascii: "w"), count: Self.lineBytes))
        data.append(Data(("\n\nFrom C\n" + good).utf8))
        let (results, capacity) = try await read(data)
        #expect(codes(results) == ["ok", "too large #2", "ok"])
        #expect(capacity <= Self.memoryBound, "\(capacity)")
        // Without a header line after it, `From B` is prose, and its message is the long one.
        var prose = Data(("From A\n" + good + "\nFrom B\n").utf8)
        prose.append(Data(repeating: UInt8(ascii: "w"), count: Self.lineBytes))
        prose.append(Data(("\n\nFrom C\n" + good).utf8))
        let (proseResults, proseCapacity) = try await read(prose)
        #expect(codes(proseResults) == ["too large #1", "ok"])
        #expect(proseCapacity <= Self.memoryBound, "\(proseCapacity)")
    }

    @Test func longLinesWithinTheLimitsAreKeptWhole() async throws {
        let body = String(repeating: "v", count: Self.limits.maxMessageBytes / 2)
        let data = Data((separator + "Subject: wide\n\n" + body + "\n\n" + separator + good).utf8)
        let (results, _) = try await read(data)
        #expect(codes(results) == ["ok", "ok"])
        #expect(try results[0].get().bytes == Array(("Subject: wide\n\n" + body + "\n").utf8))
    }
}
