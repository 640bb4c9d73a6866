/// Why a file matched: which trigger, where, and the text it matched.
public struct TriggerHit: Sendable, Hashable, CustomStringConvertible {
    public enum Source: String, Sendable, Hashable {
        case path
        case addedLine = "added line"
        case removedLine = "removed line"
        case contextLine = "context line"
        /// The function context git writes after a hunk's `@@`.
        case functionContext = "function context"
        case commitMessage = "commit message"

        /// The place with its article, for sentences: "an added line", "the commit message".
        var phrase: String {
            switch self {
            case .path: "a path"
            case .addedLine: "an added line"
            case .removedLine: "a removed line"
            case .contextLine: "a context line"
            case .functionContext: "the function context of a hunk"
            case .commitMessage: "the commit message"
            }
        }
    }

    public var trigger: Trigger
    /// Where the trigger matched; for `context:`, where its `change:` matched.
    public var source: Source
    /// The path, or the matched text (shortened to one line of at most 60 characters).
    public var text: String
    /// For `context:`: the unchanged text of the same hunk that its context regex matched,
    /// shortened the same way; nil for other kinds.
    public var context: String?
    /// Where `context` was found: a context line or the hunk's function context.
    public var contextSource: Source?

    init(trigger: Trigger, source: Source, text: String, context: (Source, String)? = nil) {
        self.trigger = trigger
        self.source = source
        self.text = Self.shortened(text)
        self.context = context.map { Self.shortened($0.1) }
        self.contextSource = context?.0
    }

    private static func shortened(_ text: String) -> String {
        let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return firstLine.count > 60 ? String(firstLine.prefix(57)) + "..." : firstLine
    }

    private static func shortened(pattern: String) -> String {
        pattern.count > 44 ? pattern.prefix(41) + "..." : pattern
    }

    /// `line 9: change \b(bpf_\w+|... -> 'BTF_ID' in added line`, and for `context:`
    /// `line 12: context \bspin_lock... + change \breturn\b -> 'return' in added line, near
    /// 'spin_lock(&priv->lock)' in context line`. Long patterns are cut; the line number
    /// finds them in the file.
    public var description: String {
        var rule = "\(trigger.kind.rawValue) \(Self.shortened(pattern: trigger.pattern))"
        if let change = trigger.changePattern { rule += " + change \(Self.shortened(pattern: change))" }
        var found = source == .path ? text : "'\(text)' in \(source.rawValue)"
        if let context, let contextSource { found += ", near '\(context)' in \(contextSource.rawValue)" }
        return "line \(trigger.line): \(rule) -> \(found)"
    }

    /// Why the file applies, in our words and the guide's own patterns only, never the
    /// patch text that matched: safe to put in a prompt.
    public var reason: String {
        switch trigger.kind {
        case .path:
            "a changed file matches `\(trigger.pattern)`"
        case .context:
            "change `\(trigger.changePattern ?? "")` in \(source.phrase), "
                + "next to context `\(trigger.pattern)` in the same hunk"
        case .function:
            "the change is inside a function matching `\(trigger.pattern)`"
        case .change, .message, .symbol:
            "\(trigger.kind.rawValue) `\(trigger.pattern)` in \(source.phrase)"
        }
    }
}
