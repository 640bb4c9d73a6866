import MboxParser

/// What trigger matching looks at in one patch: plain values, so tests and callers can
/// build them without a parsed mail.
public struct PatchFacts: Sendable, Hashable {
    /// Every path the patch touches, old and new sides of renames included.
    public var paths: [String]
    /// Added lines, without the `+` marker.
    public var addedLines: [String]
    /// Removed lines, without the `-` marker.
    public var removedLines: [String]
    /// Unchanged context lines and the function context git writes after `@@`.
    public var contextLines: [String]
    /// The subject and the commit message, trailers included.
    public var commitMessage: String

    public init(paths: [String], addedLines: [String] = [], removedLines: [String] = [],
                contextLines: [String] = [], commitMessage: String = "") {
        self.paths = paths
        self.addedLines = addedLines
        self.removedLines = removedLines
        self.contextLines = contextLines
        self.commitMessage = commitMessage
    }

    /// The facts of a parsed patch. `subject` is the patch title from the mail header,
    /// which `Patch` does not carry; it is matched together with the commit message.
    public init(_ patch: Patch, subject: String? = nil) {
        var paths: [String] = []
        var added: [String] = []
        var removed: [String] = []
        var context: [String] = []
        for file in patch.files {
            for path in [file.oldPath, file.newPath].compactMap({ $0 }) where !paths.contains(path) {
                paths.append(path)
            }
            for hunk in file.hunks {
                if !hunk.functionContext.isEmpty { context.append(hunk.functionContext) }
                for line in hunk.lines {
                    switch line.kind {
                    case .added: added.append(line.text)
                    case .removed: removed.append(line.text)
                    case .context: context.append(line.text)
                    case .noNewlineMarker: break
                    }
                }
            }
        }
        let title = subject ?? patch.inBodySubject
        let message = [title, patch.commitMessage].compactMap { $0 }.filter { !$0.isEmpty }
        self.init(paths: paths, addedLines: added, removedLines: removed, contextLines: context,
                  commitMessage: message.joined(separator: "\n\n"))
    }
}
