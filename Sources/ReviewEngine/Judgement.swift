import Foundation
import PromptLibrary

/// How well a review found a known problem, as the judge sees it (`judge_detection`).
public enum DetectionVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// A kept finding describes the problem: the same defect at the same place.
    case detected
    /// A kept finding points at the problem but misses what is wrong, or names the right
    /// defect somewhere else.
    case partial
    /// No kept finding describes it.
    case missed
}

/// The judge's answer about one benchmark row.
public struct Judgement: Sendable, Hashable, Codable {
    public var verdict: DetectionVerdict
    /// Index into the findings shown; nil when the verdict is `missed`.
    public var finding: Int?
    public var reason: String

    public init(verdict: DetectionVerdict, finding: Int?, reason: String) {
        self.verdict = verdict
        self.finding = finding
        self.reason = reason
    }
}

extension ToolInput {
    /// Decodes `judge_detection` input strictly: the three fields and nothing else, the
    /// verdict from the closed list, `finding` an integer naming one of the `count`
    /// findings shown for `detected` and `partial`, and -1 for `missed`.
    public static func judgement(_ input: JSONValue, findings count: Int) throws(ToolInputError) -> Judgement {
        guard case .object(let fields) = input else { throw ToolInputError(description: "input is not an object") }
        if let unknown = fields.keys.sorted().first(where: { !["verdict", "finding", "reason"].contains($0) }) {
            throw ToolInputError(description: "input has unknown field \"\(unknown)\"")
        }
        guard case .string(let text)? = fields["verdict"], let verdict = DetectionVerdict(rawValue: text) else {
            throw ToolInputError(description: "input.verdict is missing or not detected, partial or missed")
        }
        guard case .number(let number)? = fields["finding"], number == number.rounded(), abs(number) < 1e9 else {
            throw ToolInputError(description: "input.finding is missing or not an integer")
        }
        guard case .string(let reason)? = fields["reason"] else {
            throw ToolInputError(description: "input.reason is missing or not a string")
        }
        let index = Int(number)
        switch verdict {
        case .missed:
            guard index == -1 else {
                throw ToolInputError(description: "input.finding is \(index) but the verdict is missed (expected -1)")
            }
            return Judgement(verdict: verdict, finding: nil, reason: reason)
        case .detected, .partial:
            guard (0..<count).contains(index) else {
                throw ToolInputError(description: "input.finding \(index) names none of the \(count) findings shown")
            }
            return Judgement(verdict: verdict, finding: index, reason: reason)
        }
    }
}

/// The judge's prompt texts, from PromptLibrary: `judge.md` (with what the fences mean) as
/// the system prompt, `templates/judge-task.md` as the user turn.
public struct JudgePrompts: Sendable, Hashable {
    /// The variables `task` may use.
    public static let taskVariables: Set<String> = ["problem", "findings", "finding_count"]

    public var system: String
    public var task: PromptTemplate

    public init(system: String, task: PromptTemplate) throws {
        if let unknown = task.placeholders.first(where: { !Self.taskVariables.contains($0) }) {
            throw ReviewEngineError.prompt("\(task.name) uses {{\(unknown)}}, which the engine does not supply (it supplies \(Self.taskVariables.sorted().joined(separator: ", ")))")
        }
        self.system = system
        self.task = task
    }

    /// `judge` and `judge-task` from `library`, with `data-fences` after the judge's
    /// instructions as every system prompt has it.
    public static func make(library: PromptLibrary) throws -> JudgePrompts {
        do {
            let fences = try library.render(template: "data-fences", variables: [
                "fence_open": MaterialFence.openLine(id: "ID"), "fence_close": MaterialFence.closeLine(id: "ID"),
            ])
            return try JudgePrompts(system: try library.file(named: "judge").body + "\n\n" + fences,
                                    task: try library.template(named: "judge-task"))
        } catch let error as ReviewEngineError {
            throw error
        } catch {
            throw ReviewEngineError.prompt("\(error)")
        }
    }

    /// The user turn: the known problem and the findings, each fenced (the problem
    /// description is benchmark text, the findings are the model's text shaped by the
    /// patch), numbered from 0 as `judge_detection` counts them.
    public func userText(problem: String, findings: [AnchoredFinding]) throws -> String {
        let shown = findings.enumerated().map { index, item -> String in
            let f = item.finding
            var lines = ["file: \(f.file)", "line: \(item.line.text)",
                         "category: \(f.category.rawValue), severity: \(f.severity.rawValue)",
                         "comment:", f.comment]
            if let evidence = f.evidence, !evidence.isEmpty { lines += ["evidence:", evidence] }
            return MaterialFence.wrap(lines.joined(separator: "\n"), label: "finding \(index)")
        }
        do {
            return try task.render([
                "problem": MaterialFence.wrap(problem, label: "known problem"),
                "findings": shown.isEmpty ? "(none)" : shown.joined(separator: "\n\n"),
                "finding_count": String(findings.count),
            ])
        } catch { throw ReviewEngineError.prompt("\(error)") }
    }
}

/// What judging one row took and gave.
public struct JudgeOutcome: Sendable, Hashable {
    /// Nil when the judge failed or the budget stopped it.
    public var judgement: Judgement?
    public var failure: TaskFailure?
    /// The budget refused the request.
    public var stopped: Bool
    public var usage: TokenUsage
    public var cost: Double?
    /// Requests sent (retries included); 0 when the answer came from the response cache or
    /// there was nothing to judge.
    public var apiCalls: Int

    public init(judgement: Judgement?, failure: TaskFailure? = nil, stopped: Bool = false,
                usage: TokenUsage = TokenUsage(), cost: Double? = nil, apiCalls: Int = 0) {
        self.judgement = judgement
        self.failure = failure
        self.stopped = stopped
        self.usage = usage
        self.cost = cost
        self.apiCalls = apiCalls
    }
}

extension ReviewRunner {
    /// Asks the judge whether one of `findings` describes `problem`, forcing
    /// `judge_detection`, through the same request path as a review (response cache,
    /// budget, pacing, retries, strict decoding with one retry). With no finding the
    /// answer is `missed` without asking: there is nothing a finding could match.
    public func judge(problem: String, findings: [AnchoredFinding], prompts: JudgePrompts) async -> JudgeOutcome {
        guard !findings.isEmpty else {
            return JudgeOutcome(judgement: Judgement(verdict: .missed, finding: nil, reason: "the review kept no finding"))
        }
        let price = configuration.prices.price(for: configuration.request.model)
        let ledger = RunLedger(budget: configuration.budget, price: price)
        let result: AskResult<Judgement>
        do {
            let question = MessagesAPI.TextBlock(text: try prompts.userText(problem: problem, findings: findings))
            let prefix = CachedPrefix(
                system: [MessagesAPI.TextBlock(text: prompts.system,
                                               cacheControl: MessagesAPI.CacheControl(ttl: configuration.request.cacheTTL))],
                seriesContext: question)
            var conversation = ToolConversation(prefix: prefix, taskBlock: "", purpose: .judgement, withContextTools: false)
            // The question is one block: there is no series context shared with other requests.
            conversation.messages = [MessagesAPI.Message(role: "user", content: [question])]
            let count = findings.count
            result = await converse(conversation, patchIndex: 0, ledger: ledger, tree: nil) { input throws(ToolInputError) in
                try ToolInput.judgement(input, findings: count)
            }
        } catch {
            result = .failed(TaskFailure(reason: "\(error)"))
        }
        let usage = await ledger.usage
        var outcome = JudgeOutcome(judgement: nil, usage: usage, cost: price?.cost(of: usage), apiCalls: await ledger.apiCalls)
        switch result {
        case .value(let judgement, _): outcome.judgement = judgement
        case .failed(let failure): outcome.failure = failure
        case .stopped: outcome.stopped = true
        }
        return outcome
    }
}
