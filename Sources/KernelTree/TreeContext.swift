import MboxParser

/// What a task's context is asked for: its patch and its hunks (file, old file and the
/// hunk lines with their numbers on both sides).
public struct ContextRequest: Sendable, Hashable {
    public struct Hunk: Sendable, Hashable {
        public var file: String
        public var oldFile: String
        public var lines: [DiffLine]

        public init(file: String, oldFile: String, lines: [DiffLine]) {
            self.file = file
            self.oldFile = oldFile
            self.lines = lines
        }
    }

    public var patchIndex: Int
    public var hunks: [Hunk]

    public init(patchIndex: Int, hunks: [Hunk]) {
        self.patchIndex = patchIndex
        self.hunks = hunks
    }
}

/// How much context a task gets.
public struct ContextOptions: Sendable, Hashable {
    /// Tokens (UTF-8 bytes / 4) the sections may take together.
    public var budgetTokens: Int
    /// 1: the callers of the changed functions; 2: their callers too; up to
    /// `KernelTreeLimits.maxCallerDepth`.
    public var callerDepth: Int

    public init(budgetTokens: Int, callerDepth: Int = 1) {
        self.budgetTokens = budgetTokens
        self.callerDepth = callerDepth
    }
}

/// One part of a task's context.
public struct ContextSection: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// The function (or struct, initialiser, macro) around a hunk, before or after.
        case function
        /// A struct, union, enum, typedef, macro or variable the changed lines use.
        case definition
        /// A static helper the changed lines call.
        case helper
        /// The callers of a changed function.
        case caller
    }

    public var kind: Kind
    public var title: String
    public var text: String

    /// Estimated tokens, as the engine estimates them (UTF-8 bytes / 4).
    public var tokens: Int { (title.utf8.count + text.utf8.count + 3) / 4 }
}

/// A task's context: the sections that fitted, in priority order, and what did not fit.
public struct TreeContext: Sendable, Hashable {
    public var sections: [ContextSection]
    /// Named so the model can ask for them with the tools.
    public var omitted: [String]
    /// The callers found, for `plan --tree` (`path:line in function()`).
    public var callers: [String]
}
