// Benchmark for scripts/bench-tree: a series against a real kernel tree, read the way
// `reviewbot review --tree` reads it (the mail reader, series assembly, the planner, then the
// tree: base, apply, symbol index, each task's context). Prints, as `key value` lines:
// the time to open the tree (base, apply, index), the context time per patch, the peak
// memory of this process and of the git children, and tokens per task with and without
// the tree context.
//
// usage: TreeBench REPOSITORY SERIES.mbox CACHE_DIR [BUDGET_TOKENS] [CALLER_DEPTH]
import Foundation
import KernelTree
import PromptLibrary
import ReviewBotKit
import ReviewEngine

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func peakMegabytes(_ who: Int32) -> Int {
    var usage = rusage()
    getrusage(who, &usage)
    return usage.ru_maxrss / 1024
}

func cpuSeconds(_ who: Int32) -> Double {
    var usage = rusage()
    getrusage(who, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: TreeBench REPOSITORY SERIES.mbox CACHE_DIR [BUDGET_TOKENS] [CALLER_DEPTH]\n".utf8))
    exit(2)
}
let budget = arguments.count > 4 ? Int(arguments[4]) ?? 12_000 : Configuration().tree.contextTokens
let depth = arguments.count > 5 ? Int(arguments[5]) ?? 1 : Configuration().tree.callerDepth

do {
    let library = try PromptLibrary.load()
    let reader = SourceReader(configuration: Configuration(), environment: [:])
    let prepared = try await PreparedReview.prepare(ReviewSelection(source: arguments[2]), reader: reader, library: library)
    let series = prepared.patches.map {
        SeriesPatchInput(diff: $0.body, files: $0.patch.files, baseCommit: $0.patch.baseCommit)
    }

    let opening = ContinuousClock.now
    let provider = try await TreeContextProvider.open(path: arguments[1], base: nil, series: series, coverBaseCommit: nil,
                                                      cacheDirectory: arguments[3], callerDepth: depth)
    let openSeconds = seconds(since: opening)
    print("base \(provider.summary.baseSource.rawValue) \(provider.summary.baseDescription)")
    print("not_applied \(provider.summary.notApplied.count)")
    for (patch, reason) in provider.summary.notApplied.sorted(by: { $0.key < $1.key }) {
        print("not_applied_patch \(patch + 1) \(reason)")
    }
    print("index_built \(provider.session.indexBuilt)")
    print("open_seconds \(String(format: "%.3f", openSeconds))")

    var perPatch = [Double](repeating: 0, count: prepared.patches.count)
    var withoutTree: [Int] = []
    var withTree: [Int] = []
    var sections = 0
    var omitted = 0
    let contextStart = ContinuousClock.now
    for task in prepared.plan.tasks {
        let prefix = prepared.prefixTokens(patchIndex: task.patchIndex)
        let started = ContinuousClock.now
        let context = await provider.context(for: task, budgetTokens: budget)
        perPatch[task.patchIndex] += seconds(since: started)
        let contextTokens = context?.sections.reduce(0) { $0 + TokenEstimate.tokens(for: $1.title + "\n" + $1.text) } ?? 0
        sections += context?.sections.count ?? 0
        omitted += context?.omitted.count ?? 0
        withoutTree.append(prefix + task.estimatedTokens)
        withTree.append(prefix + task.estimatedTokens + contextTokens)
        print("task \(task.id) tokens_without \(prefix + task.estimatedTokens) tokens_with \(prefix + task.estimatedTokens + contextTokens) "
              + "sections \(context?.sections.count ?? 0) omitted \(context?.omitted.count ?? 0)")
    }
    let contextSeconds = seconds(since: contextStart)
    for (index, time) in perPatch.enumerated() {
        print("patch \(index + 1) context_seconds \(String(format: "%.3f", time))")
    }
    print("tasks \(prepared.plan.tasks.count)")
    print("patches \(prepared.patches.count)")
    print("context_seconds \(String(format: "%.3f", contextSeconds))")
    print("context_max_patch_seconds \(String(format: "%.3f", perPatch.max() ?? 0))")
    print("total_seconds \(String(format: "%.3f", openSeconds + contextSeconds))")
    let mean = { (values: [Int]) in values.isEmpty ? 0 : values.reduce(0, +) / values.count }
    print("tokens_per_task_without \(mean(withoutTree))")
    print("tokens_per_task_with \(mean(withTree))")
    print("sections \(sections) omitted \(omitted)")
    print("peak_rss_mb \(peakMegabytes(RUSAGE_SELF.rawValue))")
    print("peak_child_rss_mb \(peakMegabytes(RUSAGE_CHILDREN.rawValue))")
    print("cpu_seconds \(String(format: "%.1f", cpuSeconds(RUSAGE_SELF.rawValue))) child_cpu_seconds \(String(format: "%.1f", cpuSeconds(RUSAGE_CHILDREN.rawValue)))")
} catch {
    FileHandle.standardError.write(Data("TreeBench: \(error)\n".utf8))
    exit(1)
}
