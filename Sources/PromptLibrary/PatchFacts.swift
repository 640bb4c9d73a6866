import MboxParser

/// What trigger matching looks at in one patch: plain values, so tests and callers can
/// build them without a parsed mail.
public struct PatchFacts: Sendable, Hashable {
    /// One hunk's lines, kept together so `context:` and `function:` triggers can ask
    /// what code the changed lines sit in.
    public struct Hunk: Sendable, Hashable {
        /// The function context git writes after `@@` (the nearest line above the hunk
        /// that starts a definition, usually the function's first line), or "".
        public var functionContext: String
        /// Added lines, without the `+` marker.
        public var addedLines: [String]
        /// Removed lines, without the `-` marker.
        public var removedLines: [String]
        /// Unchanged lines, without the leading space.
        public var contextLines: [String]

        public init(functionContext: String = "", addedLines: [String] = [], removedLines: [String] = [],
                    contextLines: [String] = []) {
            self.functionContext = functionContext
            self.addedLines = addedLines
            self.removedLines = removedLines
            self.contextLines = contextLines
        }

        /// The function context (when there is one), then the unchanged lines.
        var allContext: [String] { (functionContext.isEmpty ? [] : [functionContext]) + contextLines }
    }

    /// Every path the patch touches, old and new sides of renames included.
    public var paths: [String]
    /// The hunks of every file, in patch order.
    public var hunks: [Hunk]
    /// The subject and the commit message, trailers included.
    public var commitMessage: String

    /// Added lines of every hunk.
    public var addedLines: [String] { hunks.flatMap(\.addedLines) }
    /// Removed lines of every hunk.
    public var removedLines: [String] { hunks.flatMap(\.removedLines) }
    /// Function context and unchanged lines of every hunk.
    public var contextLines: [String] { hunks.flatMap(\.allContext) }

    public init(paths: [String], hunks: [Hunk], commitMessage: String = "") {
        self.paths = paths
        self.hunks = hunks
        self.commitMessage = commitMessage
    }

    /// A patch whose changed lines all sit in one hunk, for tests and small callers.
    public init(paths: [String], addedLines: [String] = [], removedLines: [String] = [],
                contextLines: [String] = [], commitMessage: String = "") {
        let lines = [addedLines, removedLines, contextLines]
        self.init(paths: paths,
                  hunks: lines.allSatisfy(\.isEmpty) ? []
                      : [Hunk(addedLines: addedLines, removedLines: removedLines, contextLines: contextLines)],
                  commitMessage: commitMessage)
    }

    /// The facts of a parsed patch. `subject` is the patch title from the mail header,
    /// which `Patch` does not carry; it is matched together with the commit message.
    public init(_ patch: Patch, subject: String? = nil) {
        var paths: [String] = []
        var hunks: [Hunk] = []
        for file in patch.files {
            for path in [file.oldPath, file.newPath].compactMap({ $0 }) where !paths.contains(path) {
                paths.append(path)
            }
            for hunk in file.hunks {
                var facts = Hunk(functionContext: hunk.functionContext)
                for line in hunk.lines {
                    switch line.kind {
                    case .added: facts.addedLines.append(line.text)
                    case .removed: facts.removedLines.append(line.text)
                    case .context: facts.contextLines.append(line.text)
                    case .noNewlineMarker: break
                    }
                }
                hunks.append(facts)
            }
        }
        let title = subject ?? patch.inBodySubject
        let message = [title, patch.commitMessage].compactMap { $0 }.filter { !$0.isEmpty }
        self.init(paths: paths, hunks: hunks, commitMessage: message.joined(separator: "\n\n"))
    }
}
