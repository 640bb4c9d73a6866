import Foundation
import MboxParser

/// What `reviewbot series` does: read a thread or mailbox, list the series it holds, or
/// print the one chosen and optionally write a git-am-ready mbox.
public enum SeriesReport {
    public struct Options: Sendable {
        /// A mbox or single-mail file, or `-` for stdin.
        public var source: String
        public var json: Bool
        /// `--revision`.
        public var version: Int?
        public var messageID: String?
        /// `--match REGEX`.
        public var match: String?
        /// Where to write the git-am-ready mbox, if anywhere.
        public var exportPath: String?

        public init(source: String, json: Bool = false, version: Int? = nil, messageID: String? = nil,
                    match: String? = nil, exportPath: String? = nil) {
            self.source = source
            self.json = json
            self.version = version
            self.messageID = messageID
            self.match = match
            self.exportPath = exportPath
        }
    }

    public struct Outcome: Sendable {
        public var output: String
        public var errors: String
        public var exitCode: Int32
    }

    /// Reads the source and picks the series. Failing to read the source throws; a source
    /// without patches is an outcome with exit code 1, a choice that names nothing (no
    /// such revision, message or match) exit code 2. A source holding several series
    /// with no choice made lists them all (exit 0): that is what the command is for.
    public static func run(_ options: Options, reader: SourceReader) async throws -> Outcome {
        let (messages, readErrors, notes) = try await reader.seriesMessages(options.source)
        var outcome = select(messages, options: options, namedMessage: SourceReader.namedMessage(options.source))
        outcome.errors = (notes + readErrors).map { "reviewbot: \($0)\n" }.joined() + outcome.errors
        return outcome
    }

    static func select(_ messages: [SeriesMessage], options: Options, namedMessage: String? = nil) -> Outcome {
        let catalog = SeriesCatalog(messages: messages)
        let choice = SeriesChoice(messageID: options.messageID, match: options.match, revision: options.version)
        if catalog.entries.count > 1, choice.isEmpty, options.version == nil, options.exportPath == nil,
           namedMessage == nil {
            return Outcome(output: options.json ? catalogJSON(catalog) : catalogListing(catalog, source: options.source),
                           errors: "", exitCode: 0)
        }
        let series: PatchSeries
        do {
            series = try catalog.choose(choice, source: options.source, namedMessage: namedMessage)
        } catch let several as SeveralSeriesError {
            return failure(several.message + "\n" + several.catalog.listing, code: 2)
        } catch let error as ReviewBotError {
            return failure(error.description, code: error.kind == .noPatches ? 1 : 2)
        } catch {
            return failure("\(error)", code: 2)
        }
        var errors = ""
        if let path = options.exportPath {
            do {
                try Data(series.gitAmMbox.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                return failure("cannot write \(path): \(error.localizedDescription)", code: 3)
            }
        }
        if !series.isComplete {
            errors += "reviewbot: warning: series incomplete, missing " + series.missing.map { "\($0)/\(series.total)" }
                .joined(separator: ", ") + "\n"
        }
        for item in series.patches {
            for warning in readingWarnings(item) {
                errors += "reviewbot: warning: patch \(item.index)/\(series.total) <\(item.message.messageID ?? "")>: \(warning)\n"
            }
        }
        let output = options.json ? series.json.rendered() + "\n" : series.listing + problemListing(series)
        return Outcome(output: output, errors: errors, exitCode: 0)
    }

    /// What reading the mail and parsing its patch tolerated.
    static func readingWarnings(_ item: SeriesPatch) -> [String] {
        item.message.warnings + (item.message.patch?.warnings ?? [])
    }

    /// Patches whose diff could not be read whole: a series of seven with one mangled
    /// patch is not "7 of 7, complete" for a reviewer.
    static func problemListing(_ series: PatchSeries) -> String {
        var lines: [String] = []
        for item in series.patches {
            guard let patch = item.message.patch, !patch.unplaced.isEmpty else { continue }
            let label = "\(item.index)/\(series.total)"
            if let mangling = patch.mangling {
                lines.append("  MANGLED \(label): \(mangling.rawValue); it cannot be reviewed, ask for it again")
            }
            for part in patch.unplaced {
                lines.append("  unreadable diff in \(label) `\(part.file)`: \(part.summary)")
            }
        }
        return lines.isEmpty ? "" : "diff lines that could not be read:\n" + lines.joined(separator: "\n") + "\n"
    }

    static func catalogListing(_ catalog: SeriesCatalog, source: String) -> String {
        "\(catalog.entries.count) series in \(source); pick one with --msgid ID or --match REGEX:\n" + catalog.listing
    }

    /// `{"series": [...]}`: one object per series, newest revision each.
    static func catalogJSON(_ catalog: SeriesCatalog) -> String {
        struct Item: Encodable {
            var number: Int
            var title: String
            var revision: String
            var author: String?
            var patches: Int
            var total: Int
            var complete: Bool
            var missing: [Int]
            var otherRevisions: [Int]
            var messageId: String?
        }
        let items = catalog.entries.map { entry in
            Item(number: entry.number, title: entry.title, revision: entry.revisionLabel,
                 author: entry.author.map { $0.name.isEmpty ? $0.email : "\($0.name) <\($0.email)>" },
                 patches: entry.series.patches.count, total: entry.series.total, complete: entry.series.isComplete,
                 missing: entry.series.missing, otherRevisions: entry.series.otherVersions, messageId: entry.selector)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(["series": items]), as: UTF8.self) + "\n"
    }

    private static func failure(_ message: String, code: Int32) -> Outcome {
        Outcome(output: "", errors: "reviewbot: \(message)\n", exitCode: code)
    }
}
