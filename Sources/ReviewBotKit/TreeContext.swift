import Foundation
import KernelTree
import MboxParser
import ReviewEngine

/// The engine's `CodeContextProvider` over a local kernel tree: the series applied on its
/// base (never touching the checkout), each task's context, and the five context tools.
/// Git and index work block, so every call runs on a queue of its own, off Swift's
/// cooperative threads.
public final class TreeContextProvider: CodeContextProvider {
    public let summary: TreeSummary
    public let session: TreeSession
    let callerDepth: Int

    init(session: TreeSession, repository: String, callerDepth: Int) {
        self.session = session
        self.callerDepth = callerDepth
        let base = session.applied.base
        summary = TreeSummary(repository: repository, baseCommit: base.commit,
                              baseSource: TreeSummary.BaseSource(rawValue: base.source.rawValue) ?? .head,
                              baseDescription: base.description, notApplied: session.applied.notApplied)
    }

    /// Opens the tree at `path`, chooses the base (the series' `base-commit:`, then `base`,
    /// the blob guess, HEAD), applies the series and opens or builds the symbol index under
    /// `cacheDirectory` (`$XDG_CACHE_HOME/reviewbot`).
    public static func open(path: String, base: String?, series: [SeriesPatchInput], coverBaseCommit: String?,
                            cacheDirectory: String, callerDepth: Int) async throws -> TreeContextProvider {
        try await offThePool {
            do {
                let tree = try KernelTree.open(path: path, cacheDirectory: cacheDirectory)
                let session = try TreeSession.prepare(tree: tree, series: series, coverBaseCommit: coverBaseCommit,
                                                      userBase: base)
                return TreeContextProvider(session: session, repository: path, callerDepth: callerDepth)
            } catch let error as KernelTreeError {
                throw ReviewBotError(error.description, kind: error.isUsageError ? .usage : .unavailable)
            }
        }
    }

    /// The tree for a prepared review, when the configuration names one (`--tree` or
    /// `[tree] path`); nil otherwise.
    public static func open(for prepared: PreparedReview, configuration: Configuration, base: String?,
                            environment: [String: String]) async throws -> TreeContextProvider? {
        guard let path = configuration.tree.path else {
            if base != nil { throw ReviewBotError("--base needs a tree: give --tree PATH or set [tree] path") }
            return nil
        }
        let series = prepared.patches.map {
            SeriesPatchInput(diff: $0.body, files: $0.patch.files, baseCommit: $0.patch.baseCommit)
        }
        return try await open(path: path, base: base, series: series,
                              coverBaseCommit: prepared.series.cover?.message.patch?.baseCommit
                                ?? Self.baseCommitLine(prepared.series.cover?.message.bodyText),
                              cacheDirectory: XDGDirectories(environment: environment).cache,
                              callerDepth: configuration.tree.callerDepth)
    }

    /// A cover letter has no diff, so the patch parser never reads it: find its
    /// `base-commit:` line here.
    static func baseCommitLine(_ body: String?) -> String? {
        guard let body else { return nil }
        for line in body.split(separator: "\n") where line.hasPrefix("base-commit: ") {
            return line.dropFirst("base-commit: ".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    public func context(for task: ReviewTask, budgetTokens: Int) async -> TaskCodeContext? {
        let request = Self.request(for: task)
        let options = ContextOptions(budgetTokens: budgetTokens, callerDepth: callerDepth)
        let session = session
        let context = await Self.offThePool { session.context(for: request, options: options) }
        return context.map { Self.taskContext($0) }
    }

    public func run(_ call: ContextToolCall, patchIndex: Int) async -> ContextToolResult {
        let session = session
        let answer = await Self.offThePool { () -> ToolAnswer in
            switch call {
            case .readFunction(let name, let file, let version):
                session.readFunction(name: name, file: file, patchIndex: patchIndex, base: version == .base)
            case .findDefinition(let name):
                session.findDefinition(name: name, patchIndex: patchIndex)
            case .findCallers(let name):
                session.findCallers(name: name, patchIndex: patchIndex)
            case .grep(let pattern, let path):
                session.grep(pattern: pattern, path: path, patchIndex: patchIndex)
            case .readFile(let file, let start, let end, let version):
                session.readFile(file: file, start: start, end: end, patchIndex: patchIndex, base: version == .base)
            }
        }
        return ContextToolResult(text: answer.text, isError: answer.isError)
    }

    public func exists(_ identifier: String, patchIndex: Int) async -> Bool {
        let session = session
        return await Self.offThePool { session.exists(identifier, patchIndex: patchIndex) }
    }

    /// A task's hunks as the tree reads them: each shown slice with its line numbers.
    static func request(for task: ReviewTask) -> ContextRequest {
        ContextRequest(patchIndex: task.patchIndex, hunks: task.hunks.map { slice in
            ContextRequest.Hunk(file: slice.file, oldFile: slice.oldFile, lines: Array(slice.hunk.lines[slice.shown]))
        })
    }

    static func taskContext(_ context: TreeContext) -> TaskCodeContext {
        TaskCodeContext(sections: context.sections.map { section in
            let kind: CodeContextSection.Kind = switch section.kind {
            case .function: .function
            case .definition: .definition
            case .helper: .helper
            case .caller: .caller
            }
            return CodeContextSection(kind: kind, title: section.title, text: section.text)
        }, omitted: context.omitted)
    }

    private static let queue = DispatchQueue(label: "reviewbot.kernel-tree", attributes: .concurrent)

    private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
