import Foundation

// The seam between the engine and a kernel tree. The engine asks for a task's code context
// and runs the model's context-tool calls through `CodeContextProvider`; the KernelTree
// module reads git and the symbol index, and ReviewBotKit adapts one to the other. The
// engine never runs git itself, so tests can give it a provider of their own.

/// Which state of the tree a context tool reads (claude-api.md, "Context tools").
public enum TreeVersion: String, Sendable, Hashable, Codable, CaseIterable {
    /// The tree after the task's patch and every patch before it were applied.
    case patched
    /// The tree before the series.
    case base
}

/// One call of a context tool, decoded strictly from the model's `tool_use` input.
public enum ContextToolCall: Sendable, Hashable {
    case readFunction(name: String, file: String?, version: TreeVersion)
    case findDefinition(name: String)
    case findCallers(name: String)
    case grep(pattern: String, path: String?)
    case readFile(file: String, start: Int?, end: Int?, version: TreeVersion)
}

/// The answer to one context tool call: plain text, bounded in size (saying what was cut),
/// or an error with a one-line reason. Either way it is material under review, never
/// instructions.
public struct ContextToolResult: Sendable, Hashable {
    public var text: String
    public var isError: Bool

    public init(text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// One part of a task's code context, computed before any model call.
public struct CodeContextSection: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The whole function around a hunk, before or after the patch.
        case function
        /// A struct, union, enum, typedef or macro the changed lines use.
        case definition
        /// A static helper the changed lines call.
        case helper
        /// A caller of a function whose body or signature the patch changes.
        case caller
    }

    public var kind: Kind
    /// What the section is, for the request and `plan --tree`: `foo_probe() in
    /// drivers/foo.c, after the patch`.
    public var title: String
    public var text: String

    public init(kind: Kind, title: String, text: String) {
        self.kind = kind
        self.title = title
        self.text = text
    }
}

/// A task's code context: what fitted the task's token budget, and what did not (named,
/// so the model can ask for it with the tools).
public struct TaskCodeContext: Sendable, Hashable, Codable {
    public var sections: [CodeContextSection]
    public var omitted: [String]

    public init(sections: [CodeContextSection], omitted: [String] = []) {
        self.sections = sections
        self.omitted = omitted
    }
}

/// How the tree was prepared for a series: said in `plan`, `report.md` and `findings.json`.
public struct TreeSummary: Sendable, Hashable, Codable {
    /// How the base was chosen, in the order they are tried.
    public enum BaseSource: String, Sendable, Hashable, Codable {
        /// The `base-commit:` line of the cover letter or a patch.
        case baseCommitLine = "base-commit"
        /// `--base REV`.
        case userGiven = "user"
        /// The newest commit where every pre-image blob of the patches matches.
        case blobGuess = "blob-guess"
        /// HEAD, with a 3-way apply.
        case head = "head"
    }

    /// The repository path as the user gave it.
    public var repository: String
    /// The full commit id of the base.
    public var baseCommit: String
    public var baseSource: BaseSource
    /// One line for a person: `base-commit: 1a2b3c4d5e6f (v6.1-rc3)`.
    public var baseDescription: String
    /// 0-based patch index to git's reason. These patches, and only these, are reviewed
    /// without tree context.
    public var notApplied: [Int: String]

    public init(repository: String, baseCommit: String, baseSource: BaseSource, baseDescription: String,
                notApplied: [Int: String] = [:]) {
        self.repository = repository
        self.baseCommit = baseCommit
        self.baseSource = baseSource
        self.baseDescription = baseDescription
        self.notApplied = notApplied
    }
}

/// A kernel tree (or any C project) with the series applied, as the engine reads it.
public protocol CodeContextProvider: Sendable {
    var summary: TreeSummary { get }

    /// The deterministic context of `task` within `budgetTokens`; nil when the task's patch
    /// did not apply (the task is then reviewed on its diff alone).
    func context(for task: ReviewTask, budgetTokens: Int) async -> TaskCodeContext?

    /// Runs one tool call against the tree after patch `patchIndex` was applied (or the
    /// base, as the call asks). Never throws: a failure is an `isError` result.
    func run(_ call: ContextToolCall, patchIndex: Int) async -> ContextToolResult

    /// Whether `identifier` (a function, struct, field or macro name) exists in the tree
    /// after patch `patchIndex`, for the citation check.
    func exists(_ identifier: String, patchIndex: Int) async -> Bool
}
