import ArgumentParser
import PromptLibrary
import Foundation
import ReviewBotKit
import ReviewEngine

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure how many known bugs the review finds, on a benchmark of commits.",
        discussion: """
            BENCH is a JSON array or JSON lines of {"Commit", "Fixed-by", "subsystem",
            "problem_description"} rows (Sashiko's format): commits of --tree that
            introduced a bug, and what the bug was. Each commit is reviewed against its
            parent exactly as `reviewbot review` reviews a series, and the model is asked
            (judge_detection) whether a kept finding describes the problem.

            DIR gets eval.json, eval.md and eval-recall.svg: recall (detected; detected
            plus partial) overall and per subsystem, findings per patch, the share of
            findings that match no known problem (an upper bound on false positives),
            tokens, dollars and wall time. --runs N repeats the whole set and reports
            the mean and spread; later runs ask the model again.

            Finished rows are kept in the state database: an interrupted eval continues
            where it stopped when run again. --budget stops it cleanly and lists the
            rows not done. Rows whose commit is not in the tree, or whose patch does not
            apply at its parent, are listed and not counted. The tree is never changed.

            Examples:
              reviewbot eval bench.json --tree ~/linux --dry-run
              reviewbot eval bench.json --tree ~/linux --sample 50 --seed 1 --budget 20
              reviewbot eval bench.jsonl --tree ~/linux --runs 3 --out eval-3runs
            """)

    @Argument(help: ArgumentHelp("The benchmark file (JSON array or JSON lines).", valueName: "bench.json"))
    var benchmark: String

    @Option(help: ArgumentHelp("A git checkout holding the benchmark's commits; it is never changed.",
                               valueName: "path"))
    var tree: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Where eval.json, eval.md and the chart go.", valueName: "dir"))
    var outputDirectory = "eval"

    @Option(help: ArgumentHelp("Run every row this many times and report the spread.", valueName: "n"))
    var runs = 1

    @Option(help: ArgumentHelp("Run only this many rows, chosen by --seed.", valueName: "k"))
    var sample: Int?

    @Option(help: ArgumentHelp("The seed of --sample: the same seed picks the same rows.", valueName: "s"))
    var seed: UInt64 = 0

    @Flag(name: .customLong("dry-run"), help: "Print what the eval would cost, and send nothing.")
    var dryRun = false

    @Flag(name: .customLong("no-verify"), help: "Skip the verification pass of each review.")
    var noVerify = false

    @Option(help: ArgumentHelp("Stop cleanly at this many dollars for the whole eval.", valueName: "USD"))
    var budget: Double?

    @Option(name: .customLong("judge-model"), help: ArgumentHelp("The judge's model (default: [model] name).",
                                                                  valueName: "name"))
    var judgeModel: String?

    @Option(help: ArgumentHelp("The review's model (default: [model] name).", valueName: "name"))
    var model: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...EvalLimits.maxRuns).contains(runs) else {
            throw ValidationError("--runs must be 1 to \(EvalLimits.maxRuns)")
        }
        if let sample, sample < 1 { throw ValidationError("--sample must be 1 or more") }
        if let budget {
            do { try Configuration.check(flag: "--budget", budget, in: Configuration.budgetRange) } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    func run() async throws {
        var config = try global.loadConfiguration()
        if let model { config.model.name = model }
        let env = ProcessInfo.processInfo.environment
        do {
            let bench = try EvalBenchmark.read(path: benchmark)
            for bad in bench.badRows { Diagnostics.warn("\(benchmark): \(bad.label) left out: \(bad.reason)") }
            let rows = sample.map { EvalSampling.sample(bench.rows, count: $0, seed: seed) } ?? bench.rows
            let source = EvalTreeSource.withTree(path: tree, configuration: config, environment: env)
            try source.checkRepository()
            let job = EvalJob(benchmark: bench, rows: rows, configuration: config, library: try library(config),
                              source: source, runs: runs, verify: noVerify ? false : nil, budgetUSD: budget,
                              judgeModel: judgeModel)
            let store = try StateStore(url: XDGDirectories(environment: env).stateDatabase)
            let transport = dryRun ? nil : try config.messagesTransport(environment: env)
            guard let transport else {
                print(try await job.estimate(store: store).listing, terminator: "")
                if !dryRun { Diagnostics.note("no \(Configuration.apiKeyVariable) set, so this was a dry run") }
                return
            }
            let interactive = isatty(STDERR_FILENO) == 1
            let outcome = try await job.run(transport: transport, store: store) { progress in
                guard interactive else { return }
                let line = "run \(progress.run)/\(progress.runs): \(progress.done)/\(progress.total) rows, "
                    + String(format: "$%.4f", progress.cost)
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            }
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let out = URL(fileURLWithPath: outputDirectory)
            try outcome.write(to: out)
            print(outcome.terminalSummary(directory: out.path), terminator: "")
            if outcome.isIncomplete { throw ExitCode(ExitCode32.incomplete.rawValue) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Diagnostics.fail(error)
        }
    }
}

extension EvalCommand {
    func library(_ config: Configuration) throws -> PromptLibrary {
        let library = try PromptLibrary.load(explicitOverride: config.promptsDirectory.map { URL(fileURLWithPath: $0) },
                                             environment: ProcessInfo.processInfo.environment)
        for warning in library.warnings { Diagnostics.warn("\(warning)") }
        return library
    }
}
