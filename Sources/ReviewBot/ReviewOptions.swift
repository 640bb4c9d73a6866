import ArgumentParser
import Foundation
import PromptLibrary
import ReviewBotKit

/// What `plan` and `review` share: which series, which prompts, which model.
struct ReviewOptions: ParsableArguments {
    @Option(help: "Pick this revision (the N of vN) instead of the newest.")
    var version: Int?

    @Option(help: "Pick the series holding this message (with or without <>).")
    var msgid: String?

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
        if let version, version < 1 { throw ValidationError("--version must be 1 or more") }
        if let taskLines, taskLines < 1 { throw ValidationError("--task-lines must be 1 or more") }
    }

    func apply(to config: inout Configuration) {
        if let model { config.model.name = model }
        if let taskLines { config.review.taskLines = taskLines }
        if let prompts { config.promptsDirectory = prompts }
        if let tree { config.tree.path = tree }
    }

    /// Reads `source` and plans its review; what reading said (an incomplete series,
    /// unreadable messages) goes to stderr.
    func prepare(_ source: String, config: Configuration, sourceOptions: SourceOptions) async throws -> PreparedReview {
        let reader = SourceReader(configuration: config, flags: sourceOptions.flags,
                                  environment: ProcessInfo.processInfo.environment)
        let prepared = try await PreparedReview.prepare(ReviewSelection(source: source, version: version, messageID: msgid, base: base),
                                                        reader: reader, library: try library(config))
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
