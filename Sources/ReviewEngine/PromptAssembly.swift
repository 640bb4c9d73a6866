import Foundation
import PromptLibrary

/// The prompt texts for one patch, filled by the caller from PromptLibrary: the engine
/// holds no prompt text of its own, only the JSON labels of the fixed tool contract.
public struct PromptBundle: Sendable, Hashable {
    /// The variables `task` may use.
    public static let taskVariables: Set<String> = ["task_scope", "hunks"]
    /// The variables `verify` may use.
    public static let verifyVariables: Set<String> = [
        "finding_file", "finding_anchor", "finding_category", "finding_severity",
        "finding_comment", "finding_evidence", "hunks",
    ]

    /// The core review protocol (and the phrasing rules).
    public var protocolText: String
    /// Matched subsystem specs and common-error lists, in the order they should appear.
    public var specTexts: [String]
    /// What not to report and how to argue the author's side.
    public var falsePositiveGuide: String
    /// The series and this patch (cover letter, commit message, diffstat), rendered from
    /// `templates/series-context.md`: the last block of the cached prefix.
    public var seriesContext: String
    /// The user message of a review task (`templates/task.md`).
    public var task: PromptTemplate
    /// The user message of a verification request (`templates/verify-task.md`).
    public var verify: PromptTemplate

    /// Fails when a template uses a variable the engine does not supply, so a broken
    /// override is reported before any request is sent.
    public init(protocolText: String, specTexts: [String], falsePositiveGuide: String,
                seriesContext: String, task: PromptTemplate, verify: PromptTemplate) throws {
        for (template, allowed) in [(task, Self.taskVariables), (verify, Self.verifyVariables)] {
            if let unknown = template.placeholders.first(where: { !allowed.contains($0) }) {
                throw ReviewEngineError.prompt("\(template.name) uses {{\(unknown)}}, which the engine does not supply (it supplies \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        self.protocolText = protocolText
        self.specTexts = specTexts
        self.falsePositiveGuide = falsePositiveGuide
        self.seriesContext = seriesContext
        self.task = task
        self.verify = verify
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

/// Builds requests so that every request about one patch starts with the same system blocks,
/// byte for byte, ending in a cache breakpoint: the API then serves that prefix from cache
/// and only the task's diff is new input.
public enum PromptAssembly {
    /// System blocks in three groups, each ending in a cache breakpoint (`cache_control`):
    /// the protocol and the false-positive guide (the same for every patch and series); the
    /// matched specs (the same for every patch when the bundles share their specs,
    /// `PromptBundle.sharingSpecs`); then the series context (cover letter, this patch's
    /// title, commit message and diffstat). A series of one-task patches then still reads
    /// most of each prompt from cache. Empty texts are left out (the API rejects empty text
    /// blocks), and so is the breakpoint of an empty group.
    public static func prefix(bundle: PromptBundle, series: ReviewSeries, patchIndex: Int,
                              cacheTTL: String? = nil) -> [MessagesAPI.TextBlock] {
        let groups = [[bundle.protocolText, bundle.falsePositiveGuide], bundle.specTexts,
                      [bundle.seriesContext]]
        var blocks: [MessagesAPI.TextBlock] = []
        for group in groups {
            let texts = group.filter { !$0.isEmpty }
            guard !texts.isEmpty else { continue }
            blocks += texts.map { MessagesAPI.TextBlock(text: $0) }
            blocks[blocks.count - 1].cacheControl = MessagesAPI.CacheControl(ttl: cacheTTL)
        }
        return blocks
    }

    /// The review request for one task: shared prefix, then the task's diff, forcing
    /// `report_findings`.
    public static func reviewRequest(task: ReviewTask, prefix: [MessagesAPI.TextBlock], bundle: PromptBundle,
                                     settings: RequestSettings, maxTokens: Int? = nil) throws -> MessagesAPI.Request {
        let user: String
        do {
            user = try bundle.task.render(["task_scope": task.scope, "hunks": task.renderedDiff])
        } catch { throw ReviewEngineError.prompt("\(error)") }
        return MessagesAPI.Request(
            model: settings.model, maxTokens: maxTokens ?? settings.maxTokens, system: prefix,
            messages: [MessagesAPI.Message(role: "user", content: [MessagesAPI.TextBlock(text: user)])],
            tools: [.reportFindings], toolChoice: MessagesAPI.ToolChoice(name: MessagesAPI.Tool.reportFindings.name),
            temperature: settings.temperature)
    }

    /// The verification request for one finding: the same prefix, then the finding as JSON
    /// and the task's diff it is anchored in, forcing `verify_finding`.
    public static func verifyRequest(finding: AnchoredFinding, task: ReviewTask, prefix: [MessagesAPI.TextBlock],
                                     bundle: PromptBundle, settings: RequestSettings) throws -> MessagesAPI.Request {
        let f = finding.finding
        let user: String
        do {
            user = try bundle.verify.render([
                "finding_file": f.file, "finding_anchor": f.anchor, "finding_category": f.category.rawValue,
                "finding_severity": f.severity.rawValue, "finding_comment": f.comment,
                "finding_evidence": f.evidence ?? "(none given)", "hunks": task.renderedDiff,
            ])
        } catch { throw ReviewEngineError.prompt("\(error)") }
        return MessagesAPI.Request(
            model: settings.model, maxTokens: settings.maxTokens, system: prefix,
            messages: [MessagesAPI.Message(role: "user", content: [MessagesAPI.TextBlock(text: user)])],
            tools: [.verifyFinding], toolChoice: MessagesAPI.ToolChoice(name: MessagesAPI.Tool.verifyFinding.name),
            temperature: settings.temperature)
    }
}
