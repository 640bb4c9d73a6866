import Foundation

/// What `MailboxScan.scan` found in a source.
public struct MailboxScanResult: Sendable, Hashable {
    public var messages = 0
    /// Messages whose body holds a diff.
    public var patches = 0
    /// Series among the patches, as series assembly finds them (revisions of one series
    /// count once per revision posted).
    public var series = 0
    /// One entry per message that could not be read, in source order.
    public var errors: [MboxParserError] = []
    /// What reading a patch mail tolerated: a charset it could not honour, diff lines the
    /// patch parser could not place (a mangled or cut patch), in source order.
    public var warnings: [ParseWarning] = []

    public init() {}

    /// `{"messages": N, "patches": P, "series": S, "errors": E, "warnings": W}`, keys in
    /// that order.
    public var json: String {
        "{\"messages\": \(messages), \"patches\": \(patches), \"series\": \(series), \"errors\": \(errors.count), "
            + "\"warnings\": \(warnings.count)}"
    }
}

/// Reads a whole source once and counts what is in it: the library side of `reviewbot scan`.
public enum MailboxScan {
    /// Reads `path` (file, directory, or `-` for stdin). Throws only when the source cannot
    /// be opened; broken messages are listed in the result and reading goes on.
    ///
    /// Splitting runs on its own thread and hands batches of raw messages over a bounded
    /// queue, so two cores are used while memory stays a few batches deep.
    public static func scan(path: String, options: Mailbox.Options = .init()) throws(MboxParserError) -> MailboxScanResult {
        let mailbox = try Mailbox(path: path, options: options)
        let queue = RawMessageQueue(maxBatches: 4)
        let reader = Thread {
            var batch: [Result<RawMessage, MboxParserError>] = []
            var batchBytes = 0
            for item in mailbox.rawMessages() {
                if case .success(let message) = item { batchBytes += message.bytes.count }
                batch.append(item)
                if batch.count >= 256 || batchBytes >= 2 << 20 {
                    queue.push(batch)
                    batch = []
                    batchBytes = 0
                }
            }
            if !batch.isEmpty { queue.push(batch) }
            queue.close()
        }
        reader.stackSize = 1 << 20
        reader.start()

        var result = MailboxScanResult()
        var series = SeriesCounter()
        while let batch = queue.pop() {
            for item in batch {
                switch item {
                case .failure(let error):
                    result.errors.append(error)
                case .success(let raw):
                    result.messages += 1
                    do {
                        let message = try MailMessage(raw: raw.bytes, location: raw.location, limits: options.limits)
                        let isPatch = holdsPatch(message)
                        if isPatch {
                            result.patches += 1
                            result.warnings += patchWarnings(message)
                        }
                        series.add(message, isPatch: isPatch)
                    } catch {
                        result.errors.append(error)
                    }
                }
            }
        }
        result.series = series.count()
        return result
    }

    /// The charset and diff-parser warnings of a patch mail: the body is decoded and its
    /// diff parsed, as a review would, so a mangled patch shows up in the scan.
    static func patchWarnings(_ message: MailMessage) -> [ParseWarning] {
        var reasons: [String] = []
        let body = message.decodeBody(warnings: &reasons)
        let patch = PatchParser.parse(body: body)
        reasons += patch.warnings.map { "diff \($0)" }
        if let mangling = patch.mangling {
            reasons.append("mangled patch (\(mangling.rawValue)): its diff cannot be reviewed")
        }
        var seen = Set<String>()
        return reasons.filter { seen.insert($0).inserted }.map { ParseWarning(location: message.location, reason: $0) }
    }

    /// Whether a message carries a patch (`PatchParser.containsDiff` on the body's bytes).
    public static func holdsPatch(_ message: MailMessage) -> Bool {
        message.bodyByteSegments().contains { $0.bytes.withUnsafeBufferPointer(PatchParser.containsDiff) }
    }
}

/// Batches of raw messages from the reader thread to the parser, at most `maxBatches` deep.
final class RawMessageQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [[Result<RawMessage, MboxParserError>]] = []
    private var closed = false
    private let maxBatches: Int

    init(maxBatches: Int) { self.maxBatches = maxBatches }

    func push(_ batch: [Result<RawMessage, MboxParserError>]) {
        condition.lock()
        while batches.count >= maxBatches { condition.wait() }
        batches.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func pop() -> [Result<RawMessage, MboxParserError>]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !closed { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }
}
