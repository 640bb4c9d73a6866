import Foundation
@testable import ReviewEngine

/// A small in-memory tree for the engine's side of the seam: a few files, functions and
/// call sites, answering the context tools the way the real provider does (plain text, or an
/// error with a one-line reason), and counting every call that reaches it.
final class FakeCodeContext: CodeContextProvider, @unchecked Sendable {
    let summary: TreeSummary
    /// Function name to its text (with its file and first line).
    var functions: [String: String] = [
        "probe_0": "drivers/f0.c:12\nstatic int probe_0(void)\n{\n\tbuf_0 = alloc_0(dev);\n\terr = setup_0(dev);\n\tret = do_0(dev);\n\tif (ret)\n\t\treturn ret;\n\treturn 0;\n}\n",
        "do_0": "drivers/core.c:40\nint do_0(struct dev *dev)\n{\n\treturn dev->ops->start(dev);\n}\n",
    ]
    /// Function name to its call sites.
    var callers: [String: String] = [
        "do_0": "drivers/core.c:88: bus_probe(): ret = do_0(dev);\ndrivers/core.c:120: static const struct dev_ops f0_ops = { .start = do_0 };\n",
    ]
    /// Every identifier the tree has (functions, structs, fields, macros).
    var identifiers: Set<String> = ["probe_0", "do_0", "alloc_0", "setup_0", "bus_probe", "dev_ops", "start", "ops",
                                    "kfree", "buf_0"]
    /// Task id to its deterministic context.
    var contexts: [String: TaskCodeContext] = [:]

    private let lock = NSLock()
    private var _runs: [ContextToolCall] = []
    private var _existsAsked: [String] = []
    /// Tool calls that reached the tree, in order.
    var runs: [ContextToolCall] { lock.withLock { _runs } }
    var existsAsked: [String] { lock.withLock { _existsAsked } }

    init(notApplied: [Int: String] = [:]) {
        summary = TreeSummary(repository: "/tmp/linux", baseCommit: String(repeating: "1a2b3c4d", count: 5),
                              baseSource: .baseCommitLine, baseDescription: "base-commit: 1a2b3c4d1a2b (v6.1)",
                              notApplied: notApplied)
    }

    func context(for task: ReviewTask, budgetTokens: Int) async -> TaskCodeContext? {
        guard summary.notApplied[task.patchIndex] == nil else { return nil }
        return contexts[task.id] ?? TaskCodeContext(
            sections: [CodeContextSection(kind: .function, title: "probe_0() in drivers/f0.c, after the patch",
                                          text: functions["probe_0"]!)],
            omitted: ["callers of do_0()"])
    }

    func run(_ call: ContextToolCall, patchIndex: Int) async -> ContextToolResult {
        lock.withLock { _runs.append(call) }
        switch call {
        case .readFunction(let name, _, _):
            return functions[name].map { ContextToolResult(text: $0) }
                ?? ContextToolResult(text: "no function named \(name)", isError: true)
        case .findCallers(let name):
            return callers[name].map { ContextToolResult(text: $0) }
                ?? ContextToolResult(text: "no callers of \(name)", isError: true)
        case .findDefinition(let name):
            return ContextToolResult(text: "no definition of \(name)", isError: true)
        case .grep(let pattern, _):
            return ContextToolResult(text: "drivers/core.c:1:/* \(pattern) */")
        case .readFile(let file, _, _, _):
            return ContextToolResult(text: "1\t/* \(file) */")
        }
    }

    func exists(_ identifier: String, patchIndex: Int) async -> Bool {
        lock.withLock { _existsAsked.append(identifier) }
        return identifiers.contains(identifier)
    }
}
