import Foundation
import PromptLibrary

/// The prompt texts for one patch, filled by the caller from PromptLibrary: the engine
/// holds no prompt text of its own, only the JSON labels of the fixed tool contract.
public struct PromptBundle: Sendable, Hashable {
    /// The variables `task` may use.
    public static let taskVariables: Set<String> = ["task_scope", "hunks", "code_context"]
    /// The variables `verify` may use.
    public static let verifyVariables: Set<String> = [
        "finding_file", "finding_anchor", "finding_category", "finding_severity",
        "finding_comment", "finding_evidence", "hunks", "code_context",
    ]
    /// The variables `codeContext` may use.
    public static let codeContextVariables: Set<String> = ["base", "sections", "omitted", "max_tool_turns"]
    /// The variables `codeContextNotApplied` may use.
    public static let notAppliedVariables: Set<String> = ["base", "reason", "max_tool_turns"]

    /// The core review protocol (with the phrasing rules and what the fences mean).
    public var protocolText: String
    /// The verification protocol (`verify.md`, with what the fences mean): the system
    /// prompt of verification requests in place of `protocolText`.
    public var verifyProtocol: String
    /// Subsystem specs and common-error lists, in the order they should appear: for a
    /// series, the union of every patch's matches (`sharingSpecs`).
    public var specTexts: [String]
    /// What not to report and how to argue the author's side.
    public var falsePositiveGuide: String
    /// The series and this patch (cover letter, commit message, diffstat, the guides that
    /// matched this patch), rendered from `templates/series-context.md` with the material
    /// fenced: the first block of the user turn, the last cached block every task of the
    /// patch shares.
    public var seriesContext: String
    /// The user message of a review task (`templates/task.md`).
    public var task: PromptTemplate
    /// The user message of a verification request (`templates/verify-task.md`).
    public var verify: PromptTemplate
    /// The code read from the tree for a task (`templates/code-context.md`).
    public var codeContext: PromptTemplate
    /// What a task is told when its patch did not apply (`templates/not-applied.md`).
    public var codeContextNotApplied: PromptTemplate

    /// Fails when a template uses a variable the engine does not supply, so a broken
    /// override is reported before any request is sent.
    public init(protocolText: String, verifyProtocol: String, specTexts: [String], falsePositiveGuide: String,
                seriesContext: String, task: PromptTemplate, verify: PromptTemplate,
                codeContext: PromptTemplate, codeContextNotApplied: PromptTemplate) throws {
        for (template, allowed) in [(task, Self.taskVariables), (verify, Self.verifyVariables),
                                    (codeContext, Self.codeContextVariables),
                                    (codeContextNotApplied, Self.notAppliedVariables)] {
            if let unknown = template.placeholders.first(where: { !allowed.contains($0) }) {
                throw ReviewEngineError.prompt("\(template.name) uses {{\(unknown)}}, which the engine does not supply (it supplies \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        self.protocolText = protocolText
        self.verifyProtocol = verifyProtocol
        self.specTexts = specTexts
        self.falsePositiveGuide = falsePositiveGuide
        self.seriesContext = seriesContext
        self.task = task
        self.verify = verify
        self.codeContext = codeContext
        self.codeContextNotApplied = codeContextNotApplied
    }
}

/// Request fields that come from configuration.
public struct RequestSettings: Sendable, Hashable {
    public var model: String
    /// `max_tokens` of a first attempt.
    public var maxTokens: Int
    public var temperature: Double?
    /// `"1h"` for the long prompt cache, nil for the default five minutes.
    public var cacheTTL: String?

    public init(model: String, maxTokens: Int = 4_096, temperature: Double? = nil, cacheTTL: String? = nil) {
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.cacheTTL = cacheTTL
    }
}

/// The blocks every request about one patch starts with, byte for byte: the system prompt
/// in two cached groups, then the series context that opens the user turn.
public struct CachedPrefix: Sendable, Hashable {
    public var system: [MessagesAPI.TextBlock]
    /// The first block of the first user message (the third breakpoint).
    public var seriesContext: MessagesAPI.TextBlock

    /// The cached blocks in request order.
    public var blocks: [MessagesAPI.TextBlock] { system + [seriesContext] }
}

/// What a request is for: its system prompt and its final tool differ.
public enum RequestPurpose: Sendable, Hashable {
    case review
    case verification

    public var finalTool: MessagesAPI.Tool {
        switch self {
        case .review: .reportFindings
        case .verification: .verifyFinding
        }
    }
}

/// Builds requests so that every request about one patch starts with the same blocks, byte
/// for byte, with cache breakpoints where the shared parts end: the API then serves that
/// prefix from cache and only the task is new input. All material under review (mail text,
/// diffs, code, tool results) is in the user turn, fenced (`MaterialFence`); the system
/// prompt holds only our protocol and guides.
public enum PromptAssembly {
    /// Breakpoints: the protocol and the false-positive guide (BP1, the same for every
    /// patch and series); the specs (BP2, the same for every patch when the bundles share
    /// their specs, `PromptBundle.sharingSpecs`); the series context opening the user turn
    /// (BP3, the same for every task of a patch). The fourth moves with the newest turn of
    /// a tool loop (`ToolConversation`). Empty texts are left out (the API rejects empty
    /// text blocks), and so is the breakpoint of an empty group.
    public static func prefix(bundle: PromptBundle, series: ReviewSeries, patchIndex: Int,
                              cacheTTL: String? = nil, purpose: RequestPurpose = .review) -> CachedPrefix {
        let first = purpose == .review ? bundle.protocolText : bundle.verifyProtocol
        let groups = [[first, bundle.falsePositiveGuide], bundle.specTexts]
        var blocks: [MessagesAPI.TextBlock] = []
        for group in groups {
            let texts = group.filter { !$0.isEmpty }
            guard !texts.isEmpty else { continue }
            blocks += texts.map { MessagesAPI.TextBlock(text: $0) }
            blocks[blocks.count - 1].cacheControl = MessagesAPI.CacheControl(ttl: cacheTTL)
        }
        return CachedPrefix(system: blocks, seriesContext: MessagesAPI.TextBlock(
            text: bundle.seriesContext, cacheControl: MessagesAPI.CacheControl(ttl: cacheTTL)))
    }

    /// The code-context part of a task block: empty without a tree, else the sections that
    /// fitted and what did not (each fenced), or why the patch did not apply.
    static func codeContext(_ tree: TaskTree?, bundle: PromptBundle, maxToolTurns: Int) throws -> String {
        guard let tree else { return "" }
        do {
            guard let context = tree.context else {
                return try bundle.codeContextNotApplied.render([
                    "base": tree.base, "max_tool_turns": String(maxToolTurns),
                    "reason": MaterialFence.wrap(tree.notAppliedReason ?? "(not given)", label: "git's reason"),
                ])
            }
            return try bundle.codeContext.render([
                "base": tree.base, "max_tool_turns": String(maxToolTurns),
                "sections": context.sections.isEmpty ? "(none)"
                    : context.sections.map { MaterialFence.wrap($0.text, label: "code: " + $0.title) }
                        .joined(separator: "\n\n"),
                "omitted": context.omitted.isEmpty ? "(none)"
                    : MaterialFence.wrap(context.omitted.map { "- " + $0 }.joined(separator: "\n"), label: "parts left out"),
            ])
        } catch { throw ReviewEngineError.prompt("\(error)") }
    }

    /// The task block of a review request: the task's scope, code context and diff, fenced.
    public static func taskBlock(task: ReviewTask, bundle: PromptBundle, tree: TaskTree? = nil,
                                 maxToolTurns: Int = 0) throws -> String {
        do {
            return try bundle.task.render([
                "task_scope": MaterialFence.wrap(task.scope, label: "files and functions"),
                "code_context": try codeContext(tree, bundle: bundle, maxToolTurns: maxToolTurns),
                "hunks": MaterialFence.wrap(task.renderedDiff, label: "diff of this task"),
            ])
        } catch let error as ReviewEngineError { throw error } catch { throw ReviewEngineError.prompt("\(error)") }
    }

    /// The task block of a verification request: the finding (fenced: it is the model's
    /// text, shaped by the patch) and the code it is about.
    public static func verifyBlock(finding: AnchoredFinding, task: ReviewTask, bundle: PromptBundle,
                                   tree: TaskTree? = nil, maxToolTurns: Int = 0) throws -> String {
        let f = finding.finding
        do {
            return try bundle.verify.render([
                "finding_file": MaterialFence.wrap(f.file, label: "file"),
                "finding_anchor": MaterialFence.wrap(f.anchor, label: "anchor line"),
                "finding_category": f.category.rawValue, "finding_severity": f.severity.rawValue,
                "finding_comment": MaterialFence.wrap(f.comment, label: "comment"),
                "finding_evidence": f.evidence.map { MaterialFence.wrap($0, label: "evidence") } ?? "(none given)",
                "code_context": try codeContext(tree, bundle: bundle, maxToolTurns: maxToolTurns),
                "hunks": MaterialFence.wrap(task.renderedDiff, label: "diff of the finding's task"),
            ])
        } catch let error as ReviewEngineError { throw error } catch { throw ReviewEngineError.prompt("\(error)") }
    }

    /// The first request of a review task (what `--dry-run` writes): the shared prefix,
    /// then the task block; with a tree, the context tools too.
    public static func reviewRequest(task: ReviewTask, prefix: CachedPrefix, bundle: PromptBundle,
                                     settings: RequestSettings, maxTokens: Int? = nil, tree: TaskTree? = nil,
                                     maxToolTurns: Int = 0) throws -> MessagesAPI.Request {
        let block = try taskBlock(task: task, bundle: bundle, tree: tree, maxToolTurns: maxToolTurns)
        return ToolConversation(prefix: prefix, taskBlock: block, purpose: .review, withContextTools: tree != nil)
            .request(settings: settings, maxTokens: maxTokens ?? settings.maxTokens, forceFinal: tree == nil)
    }

    /// The first verification request for one finding: the verification prefix, then the
    /// finding and the diff it is anchored in; with a tree, the context tools too.
    public static func verifyRequest(finding: AnchoredFinding, task: ReviewTask, prefix: CachedPrefix,
                                     bundle: PromptBundle, settings: RequestSettings, tree: TaskTree? = nil,
                                     maxToolTurns: Int = 0) throws -> MessagesAPI.Request {
        let block = try verifyBlock(finding: finding, task: task, bundle: bundle, tree: tree, maxToolTurns: maxToolTurns)
        return ToolConversation(prefix: prefix, taskBlock: block, purpose: .verification, withContextTools: tree != nil)
            .request(settings: settings, maxTokens: settings.maxTokens, forceFinal: tree == nil)
    }
}
