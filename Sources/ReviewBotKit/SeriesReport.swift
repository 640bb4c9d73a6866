import Foundation
import MboxParser

/// What `reviewbot series` does: read a thread or mailbox, pick a series, print it, and
/// optionally write a git-am-ready mbox.
public enum SeriesReport {
    public struct Options: Sendable {
        /// A mbox or single-mail file, or `-` for stdin.
        public var source: String
        public var json: Bool
        public var version: Int?
        public var messageID: String?
        /// Where to write the git-am-ready mbox, if anywhere.
        public var exportPath: String?

        public init(source: String, json: Bool = false, version: Int? = nil, messageID: String? = nil,
                    exportPath: String? = nil) {
            self.source = source
            self.json = json
            self.version = version
            self.messageID = messageID
            self.exportPath = exportPath
        }
    }

    public struct Outcome: Sendable {
        public var output: String
        public var errors: String
        public var exitCode: Int32
    }

    /// Reads the source and picks the series. Failing to read the source throws; a source
    /// without the wanted series is an outcome with exit code 1 (no patches) or 2 (no such
    /// version or message).
    public static func run(_ options: Options, reader: SourceReader) async throws -> Outcome {
        let (messages, readErrors, notes) = try await reader.seriesMessages(options.source)
        var outcome = select(messages, options: options)
        outcome.errors = (notes + readErrors).map { "reviewbot: \($0)\n" }.joined() + outcome.errors
        return outcome
    }

    static func select(_ messages: [SeriesMessage], options: Options) -> Outcome {
        let selection = SeriesAssembler(messages: messages).select(version: options.version, messageID: options.messageID)
        let series: PatchSeries
        switch selection {
        case .found(let found):
            series = found
        case .noPatches:
            return failure("no patches in \(options.source): only replies, pull requests or cover letters")
        case .noSuchVersion(let wanted, let available):
            let list = available.map { "v\($0)" }.joined(separator: ", ")
            return failure("no v\(wanted) in \(options.source); it holds \(list.isEmpty ? "no other revision" : list)", code: 2)
        case .noSuchMessage(let id):
            return failure("message <\(id)> is not in \(options.source); check the message-id or the source", code: 2)
        }
        var errors = ""
        if let path = options.exportPath {
            do {
                try Data(series.gitAmMbox.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                return failure("cannot write \(path): \(error.localizedDescription)")
            }
        }
        if !series.isComplete {
            errors += "reviewbot: warning: series incomplete, missing " + series.missing.map { "\($0)/\(series.total)" }
                .joined(separator: ", ") + "\n"
        }
        let output = options.json ? series.json.rendered() + "\n" : series.listing
        return Outcome(output: output, errors: errors, exitCode: 0)
    }

    private static func failure(_ message: String, code: Int32 = 1) -> Outcome {
        Outcome(output: "", errors: "reviewbot: \(message)\n", exitCode: code)
    }
}
