import Foundation

/// Bounds on what the tool loop feeds back to the model.
public enum ToolLoopLimits {
    /// Bytes of one tool result: 16 KiB, about 4k tokens, holds a 300-line function (the
    /// kernel's coding style asks for far shorter ones) and a page of grep matches.
    public static let maxResultBytes = 16 * 1_024
    /// Bytes of every tool result of one task together: four full results, some 16k tokens,
    /// so six turns of tool calls stay a small part of a 200k-token context window.
    public static let maxBytesPerTask = 64 * 1_024
    /// Tool calls answered in one turn; more are answered with an error. Models batch two
    /// to five look-ups in a turn; eight leaves room without letting one turn fan out.
    public static let maxCallsPerTurn = 8
}

/// The context-tool calls of one task (or one verification): runs each call against the
/// tree once, answers an identical repeated call from the earlier result, cuts results to
/// the limits, and turns every failure into an `is_error` result. Tool results are material
/// under review and go back fenced.
struct ToolSession {
    private var answered: [ContextToolCall: ContextToolResult] = [:]
    private(set) var bytesSent = 0
    /// Calls that reached the provider.
    private(set) var runs = 0

    /// One `tool_result` per call, in order.
    mutating func answer(_ calls: [MessagesAPI.ToolUseBlock], tree: ReviewTree,
                         patchIndex: Int) async -> [MessagesAPI.ToolResultBlock] {
        var results: [MessagesAPI.ToolResultBlock] = []
        for (index, use) in calls.enumerated() {
            let result: ContextToolResult
            if index >= ToolLoopLimits.maxCallsPerTurn {
                result = ContextToolResult(text: "not run: at most \(ToolLoopLimits.maxCallsPerTurn) tool calls are "
                                           + "answered per turn; ask again for what you still need", isError: true)
            } else if bytesSent >= ToolLoopLimits.maxBytesPerTask {
                result = ContextToolResult(text: "not run: this task's tool output budget "
                                           + "(\(ToolLoopLimits.maxBytesPerTask) bytes) is used up; answer with what "
                                           + "you have read", isError: true)
            } else {
                result = await run(use, tree: tree, patchIndex: patchIndex)
            }
            // An error is one line and always goes back whole; output shares the task's budget.
            let room = result.isError ? ToolLoopLimits.maxResultBytes
                : min(ToolLoopLimits.maxResultBytes, ToolLoopLimits.maxBytesPerTask - bytesSent)
            let text = Self.cut(result.text, to: room)
            bytesSent += text.utf8.count
            let label = "\(result.isError ? "error from" : "result of") \(Self.label(use.name))"
            results.append(MessagesAPI.ToolResultBlock(toolUseID: use.id, content: MaterialFence.wrap(text, label: label),
                                                       isError: result.isError))
        }
        return results
    }

    private mutating func run(_ use: MessagesAPI.ToolUseBlock, tree: ReviewTree,
                              patchIndex: Int) async -> ContextToolResult {
        let call: ContextToolCall
        do { call = try ContextToolCall.decode(tool: use.name, input: use.input) } catch {
            return ContextToolResult(text: error.description, isError: true)
        }
        if let earlier = answered[call] { return earlier }
        runs += 1
        var result = await tree.provider.run(call, patchIndex: patchIndex)
        if result.text.isEmpty { result.text = result.isError ? "failed" : "(no output)" }
        answered[call] = result
        return result
    }

    /// The tool's name as our label, or `a tool` when the model named one we do not offer.
    static func label(_ name: String) -> String {
        ContextToolCall.toolNames.contains(name) ? name : "an unknown tool"
    }

    /// `text` cut at a line end within `limit` bytes, saying how much was left out.
    static func cut(_ text: String, to limit: Int) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > limit else { return text }
        var end = limit
        // Back to the end of a line (or at least of a character) so no line is cut in half.
        if let newline = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")), newline > 0 { end = newline + 1 }
        while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
            + "[cut: \(end) of \(bytes.count) bytes shown; ask for a narrower range or a more precise pattern]\n"
    }
}
