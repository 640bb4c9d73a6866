import Foundation

/// The prompt texts for one patch, filled by the caller from PromptLibrary (the engine holds
/// no prompt text of its own).
public struct PromptBundle: Sendable, Hashable {
    /// The core review protocol.
    public var protocolText: String
    /// Matched subsystem specs and common-error lists, in the order they should appear.
    public var specTexts: [String]
    /// What not to report and how to argue the author's side.
    public var falsePositiveGuide: String
    /// Opens each review task's user message, before the diff.
    public var taskInstructions: String
    /// Opens each verification request's user message, before the finding and its code.
    public var verifyInstructions: String

    public init(protocolText: String, specTexts: [String], falsePositiveGuide: String,
                taskInstructions: String, verifyInstructions: String) {
        self.protocolText = protocolText
        self.specTexts = specTexts
        self.falsePositiveGuide = falsePositiveGuide
        self.taskInstructions = taskInstructions
        self.verifyInstructions = verifyInstructions
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
                      [seriesContext(series, patchIndex: patchIndex)]]
        var blocks: [MessagesAPI.TextBlock] = []
        for group in groups {
            let texts = group.filter { !$0.isEmpty }
            guard !texts.isEmpty else { continue }
            blocks += texts.map { MessagesAPI.TextBlock(text: $0) }
            blocks[blocks.count - 1].cacheControl = MessagesAPI.CacheControl(ttl: cacheTTL)
        }
        return blocks
    }

    static func seriesContext(_ series: ReviewSeries, patchIndex: Int) -> String {
        let item = series.patches[patchIndex]
        var text = "Series of \(series.patches.count) patch(es), revision \(series.identity.revision).\n"
        if let cover = series.coverLetter, !cover.isEmpty {
            text += "\nCover letter:\n\(cover)\n"
        }
        text += "\nPatch \(patchIndex + 1)/\(series.patches.count): \(item.title)\n\n\(item.patch.commitMessage)\n"
        if !item.patch.diffstat.isEmpty {
            text += "---\n" + item.patch.diffstat.joined(separator: "\n") + "\n"
        }
        return text
    }

    /// The review request for one task: shared prefix, then the task's diff, forcing
    /// `report_findings`.
    public static func reviewRequest(task: ReviewTask, prefix: [MessagesAPI.TextBlock], bundle: PromptBundle,
                                     settings: RequestSettings, maxTokens: Int? = nil) -> MessagesAPI.Request {
        let user = bundle.taskInstructions + "\n\n" + task.renderedDiff
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
        let json: Data
        do { json = try CanonicalJSON.encode(finding.finding) } catch { throw ReviewEngineError.encoding("finding", error) }
        let user = bundle.verifyInstructions + "\n\nFinding:\n" + String(decoding: json, as: UTF8.self)
            + "\n\nCode:\n" + task.renderedDiff
        return MessagesAPI.Request(
            model: settings.model, maxTokens: settings.maxTokens, system: prefix,
            messages: [MessagesAPI.Message(role: "user", content: [MessagesAPI.TextBlock(text: user)])],
            tools: [.verifyFinding], toolChoice: MessagesAPI.ToolChoice(name: MessagesAPI.Tool.verifyFinding.name),
            temperature: settings.temperature)
    }
}
