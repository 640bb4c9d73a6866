import Foundation

/// The messages of one task's tool loop, as pure data: the cached prefix, the task block,
/// then each assistant turn with its tool calls and the user turn answering them. Every
/// request built from it is a deterministic function of the turns so far, so the response
/// cache answers a re-run turn by turn.
public struct ToolConversation: Sendable, Hashable {
    public var system: [MessagesAPI.TextBlock]
    public var messages: [MessagesAPI.Message]
    /// The context tools (when the review has a tree), then the final tool.
    public var tools: [MessagesAPI.Tool]
    public var purpose: RequestPurpose

    /// Turns the model spent on context tools so far.
    public var toolTurns: Int { messages.filter { $0.role == "assistant" }.count }

    public init(prefix: CachedPrefix, taskBlock: String, purpose: RequestPurpose, withContextTools: Bool) {
        system = prefix.system
        messages = [MessagesAPI.Message(role: "user", content: [prefix.seriesContext,
                                                                MessagesAPI.TextBlock(text: taskBlock)])]
        tools = (withContextTools ? MessagesAPI.Tool.contextTools : []) + [purpose.finalTool]
        self.purpose = purpose
    }

    /// The request for the next answer. `forceFinal` forces the final tool (no tree, or the
    /// cap on tool turns reached); otherwise the model may call any tool. Breakpoints: the
    /// prefix's (up to three), and, while tools may still be called, one on the last block
    /// of the last user message, so the next turn reads this one from cache. Never more
    /// than four.
    public func request(settings: RequestSettings, maxTokens: Int, forceFinal: Bool) -> MessagesAPI.Request {
        var messages = messages
        for message in messages.indices {
            for block in messages[message].content.indices where !(message == 0 && block == 0) {
                messages[message].content[block].cacheControl = nil
            }
        }
        if !forceFinal, tools.count > 1 {
            let last = messages.count - 1
            messages[last].content[messages[last].content.count - 1].cacheControl =
                MessagesAPI.CacheControl(ttl: settings.cacheTTL)
        }
        return MessagesAPI.Request(
            model: settings.model, maxTokens: maxTokens, system: system, messages: messages, tools: tools,
            toolChoice: forceFinal ? MessagesAPI.ToolChoice(name: purpose.finalTool.name) : .any,
            temperature: settings.temperature)
    }

    /// Appends the model's turn (its text and tool calls, as it wrote them) and the user
    /// turn with one result per call, in the order of the calls.
    public mutating func append(answer: [MessagesAPI.ToolUseBlock], text: [String],
                                results: [MessagesAPI.ToolResultBlock]) {
        let said = text.filter { !$0.isEmpty }.map { MessagesAPI.InputBlock.text(MessagesAPI.TextBlock(text: $0)) }
        messages.append(MessagesAPI.Message(role: "assistant", content: said + answer.map(MessagesAPI.InputBlock.toolUse)))
        messages.append(MessagesAPI.Message(role: "user", content: results.map(MessagesAPI.InputBlock.toolResult)))
    }
}
