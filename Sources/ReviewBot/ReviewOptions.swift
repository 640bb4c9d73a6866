import ArgumentParser
import Foundation
import PromptLibrary
import ReviewBotKit

/// Which series of a source: `--msgid`, `--match`, `--revision`. A source holding several
/// series needs `--msgid` or `--match` (or, for `review` and `plan`, `--all`).
struct SeriesOptions: ParsableArguments {
    @Option(name: [.customLong("revision"), .customShort("v")],
            help: ArgumentHelp("Pick this revision (the N of vN) of the series instead of the newest.", valueName: "N"))
    var revision: Int?

    @Option(help: ArgumentHelp("Pick the series holding this message (with or without <>).", valueName: "ID"))
    var msgid: String?

    @Option(help: ArgumentHelp("Pick the one series whose title this regular expression finds (any case).",
                               valueName: "REGEX"))
    var match: String?

    func validate() throws {
        if let revision, revision < 1 { throw ValidationError("--revision must be 1 or more") }
    }
}

/// What `plan` and `review` share: which series and patches, which prompts, which model.
struct ReviewOptions: ParsableArguments {
    @OptionGroup var series: SeriesOptions

    @Option(help: ArgumentHelp("Review only these patches (the N of N/M), e.g. 2,4-6; the rest are listed as "
                               + "not selected.", valueName: "LIST"))
    var patches: String?

    @Option(help: ArgumentHelp("Directory whose files replace or add to the bundled prompts (default: [prompts_dir], "
                               + "then $XDG_CONFIG_HOME/reviewbot/prompts).", valueName: "dir"))
    var prompts: String?

    @Option(help: "Model name (default: [model] name).")
    var model: String?

    @Option(name: .customLong("task-lines"), help: "Changed lines per review task (default: [review] task_lines, 250).")
    var taskLines: Int?

    @Option(help: ArgumentHelp("A local git checkout of the kernel (or any C project) to read the code from; it is "
                               + "never changed (default: [tree] path).", valueName: "path"))
    var tree: String?

    @Option(help: ArgumentHelp("The commit of --tree the series applies to, when it has no base-commit line "
                               + "(a branch, tag or commit id).", valueName: "rev"))
    var base: String?

    func validate() throws {
        if let taskLines {
            do {
                try Configuration.check(flag: "--task-lines", Double(taskLines), in: Configuration.taskLinesRange)
            } catch { throw ValidationError("\(error)") }
        }
        if let patches {
            do { _ = try PatchNumbers(parsing: patches) } catch { throw ValidationError("\(error)") }
        }
    }

    func apply(to config: inout Configuration) {
        if let model { config.model.name = model }
        if let taskLines { config.review.taskLines = taskLines }
        if let prompts { config.promptsDirectory = prompts }
        if let tree { config.tree.path = tree }
    }

    func selection(_ source: String) throws -> ReviewSelection {
        ReviewSelection(source: source, version: series.revision, messageID: series.msgid, match: series.match,
                        patches: try patches.map(PatchNumbers.init(parsing:)), base: base)
    }

    func reader(_ config: Configuration, _ sourceOptions: SourceOptions) -> SourceReader {
        SourceReader(configuration: config, flags: sourceOptions.flags, environment: ProcessInfo.processInfo.environment)
    }

    /// Reads `source` and plans the review of the one series it names; what reading said
    /// (an incomplete series, unreadable messages) goes to stderr.
    func prepare(_ source: String, config: Configuration, sourceOptions: SourceOptions) async throws -> PreparedReview {
        let prepared = try await PreparedReview.prepare(try selection(source), reader: reader(config, sourceOptions),
                                                        library: try library(config))
        for note in prepared.notes { Diagnostics.warn(note) }
        return prepared
    }

    func library(_ config: Configuration) throws -> PromptLibrary {
        let env = ProcessInfo.processInfo.environment
        let library = try PromptLibrary.load(explicitOverride: config.promptsDirectory.map { URL(fileURLWithPath: $0) },
                                             environment: env)
        for warning in library.warnings { Diagnostics.warn("\(warning)") }
        return library
    }
}

extension Diagnostics {
    /// `fail(_:)`, printing the series to choose from first when the source held several.
    static func failChoosing(_ error: any Error) -> ExitCode {
        if let several = error as? SeveralSeriesError {
            FileHandle.standardError.write(Data(("reviewbot: " + several.message + "\n" + several.catalog.listing).utf8))
            return ExitCode(ExitCode32.usage.rawValue)
        }
        return fail(error)
    }
}
