import Foundation

extension ReviewRunner {
    /// Runs one task's conversation until the model calls the final tool: with a tree, the
    /// model may first call context tools (each turn answered, then asked again) until the
    /// cap on tool turns forces the final tool; without one the final tool is forced at
    /// once. A cut answer (`max_tokens`) is asked again once with more room, up to the
    /// ceiling; an answer that fails strict decoding or calls no tool is asked again once;
    /// either failing twice ends as a failure that keeps the raw answer. A tool call that
    /// fails is an `is_error` result, never a failure. Only answers that were used go into
    /// the response cache, so a re-run replays every turn from it.
    func converse<Value: Sendable>(
        _ start: ToolConversation, patchIndex: Int, ledger: RunLedger, tree: ReviewTree?,
        decode: (JSONValue) throws(ToolInputError) -> Value
    ) async -> AskResult<Value> {
        var conversation = start
        let finalTool = conversation.purpose.finalTool.name
        var session = ToolSession()
        var maxTokens = configuration.request.maxTokens
        var retriedMalformed = false
        var retriedCut = false
        var everyTurnFromCache = true
        while true {
            let forceFinal = tree == nil || conversation.toolTurns >= configuration.maxToolTurns
            let built = conversation.request(settings: configuration.request, maxTokens: maxTokens, forceFinal: forceFinal)
            let malformed: TaskFailure
            switch await execute(built, patchIndex: patchIndex, ledger: ledger) {
            case .stopped:
                return .stopped
            case .failed(let failure):
                return .failed(failure)
            case .malformed(let failure):
                malformed = failure
            case .answer(let response, let body, let hash, let fromCache):
                let raw = String(decoding: body, as: UTF8.self)
                switch response.stopReason {
                case "max_tokens"?:
                    if !retriedCut, let more = configuration.roomAfterCut(maxTokens) {
                        retriedCut = true
                        maxTokens = more
                        continue
                    }
                    return .failed(TaskFailure(reason: "the answer was cut at max_tokens \(maxTokens)", rawAnswer: raw))
                case "tool_use"?, "end_turn"?, "stop_sequence"?:
                    break
                default:
                    return .failed(TaskFailure(reason: "the model stopped with \(response.stopReason ?? "no stop_reason")",
                                               rawAnswer: raw))
                }
                func keep() async {
                    everyTurnFromCache = everyTurnFromCache && fromCache
                    guard !fromCache, let store else { return }
                    do { try store.storeResponse(requestHash: hash, model: built.model, body: body) } catch {
                        await ledger.warn("\(error)")
                    }
                }
                if let input = response.toolInput(named: finalTool) {
                    do {
                        let value = try decode(input)
                        await keep()
                        return .value(value, fromCache: everyTurnFromCache)
                    } catch {
                        malformed = TaskFailure(reason: "\(finalTool) input does not match the contract: \(error)",
                                                rawAnswer: raw)
                    }
                } else if !forceFinal, let tree, !response.toolUses.isEmpty {
                    await keep()
                    let results = await session.answer(response.toolUses, tree: tree, patchIndex: patchIndex)
                    let text = response.content.compactMap { if case .text(let said) = $0 { said } else { nil } }
                    conversation.append(answer: response.toolUses, text: text, results: results)
                    await ledger.countToolCalls(results.count)
                    continue
                } else {
                    malformed = TaskFailure(reason: "the answer has no \(finalTool) call", rawAnswer: raw)
                }
            }
            if retriedMalformed { return .failed(malformed) }
            retriedMalformed = true
        }
    }
}
