import Foundation

/// A `Name: value` line from the end of a commit message (Signed-off-by, Fixes, Link, ...).
public struct Trailer: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Person trailers carry `Name <email>` (Reviewed-by, Acked-by, Tested-by, ...).
    public var person: MailAddress? { MailAddress.parseTrailerPerson(value) }
}

/// What one patch mail holds once the mail layer has decoded it: the commit message, the
/// notes below `---`, and the diffs.
public struct Patch: Sendable, Hashable {
    /// In-body `From:` (the real author when someone else sent the mail).
    public var inBodyFrom: MailAddress?
    /// In-body `Subject:` when present.
    public var inBodySubject: String?
    /// In-body `Date:` as written.
    public var inBodyDate: String?
    /// The commit message body (without the subject line), trailers included, as git am
    /// would record it.
    public var commitMessage: String
    /// Trailers at the end of the commit message, in order.
    public var trailers: [Trailer]
    /// Free text between `---` and the diffstat/diff: changelog, Range-diff, Interdiff.
    public var notes: String
    /// The diffstat lines as written (may be empty).
    public var diffstat: [String]
    /// The diffs, in order.
    public var files: [FileDiff]
    /// Text above the last scissors line (`-- >8 --`): discussion, not part of the commit.
    public var discussion: String
    /// Text after the last diff: the `-- ` signature with the git version, and the like.
    public var trailingText: String
    /// `base-commit:` as format-patch `--base` or b4 write it.
    public var baseCommit: String?
    /// `prerequisite-patch-id:` lines, in order.
    public var prerequisitePatchIDs: [String]
    /// b4's `change-id:`.
    public var changeID: String?
    /// What the parser tolerated (a hunk shorter than its header says, a limit reached);
    /// each names the body line it concerns.
    public var warnings: [String]
    /// Diff lines the parser could not place in any hunk, and why: never reviewed, always
    /// reported.
    public var unplaced: [UnplacedDiffLines] = []

    public init(inBodyFrom: MailAddress? = nil, inBodySubject: String? = nil, inBodyDate: String? = nil,
                commitMessage: String = "", trailers: [Trailer] = [], notes: String = "",
                diffstat: [String] = [], files: [FileDiff] = [], discussion: String = "",
                trailingText: String = "", baseCommit: String? = nil, prerequisitePatchIDs: [String] = [],
                changeID: String? = nil, warnings: [String] = []) {
        self.inBodyFrom = inBodyFrom
        self.inBodySubject = inBodySubject
        self.inBodyDate = inBodyDate
        self.commitMessage = commitMessage
        self.trailers = trailers
        self.notes = notes
        self.diffstat = diffstat
        self.files = files
        self.discussion = discussion
        self.trailingText = trailingText
        self.baseCommit = baseCommit
        self.prerequisitePatchIDs = prerequisitePatchIDs
        self.changeID = changeID
        self.warnings = warnings
    }

    /// Whether the body carried any diff at all (the test b4 uses to tell a patch from a
    /// cover letter or a reply).
    public var hasDiff: Bool { !files.isEmpty }
}

/// One file's part of a diff.
public struct FileDiff: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        case modified, added, deleted, renamed, copied, mode
    }

    /// Path on the old side (without `a/`), `nil` for a new file.
    public var oldPath: String?
    /// Path on the new side (without `b/`), `nil` for a deleted file.
    public var newPath: String?
    public var status: Status
    public var oldMode: String?
    public var newMode: String?
    /// `similarity index N%` for renames and copies.
    public var similarity: Int?
    /// `Binary files ... differ` or `GIT binary patch`.
    public var isBinary: Bool
    public var hunks: [Hunk]
    /// `dissimilarity index N%` (a rewrite).
    public var dissimilarity: Int?
    /// The abbreviated blob names of the `index old..new` line.
    public var oldIndex: String?
    public var newIndex: String?
    /// The `literal`/`delta` blocks of a `GIT binary patch` (forward, then reverse).
    public var binaryHunks: [BinaryHunk]

    public init(oldPath: String?, newPath: String?, status: Status, oldMode: String? = nil,
                newMode: String? = nil, similarity: Int? = nil, isBinary: Bool = false,
                hunks: [Hunk] = [], dissimilarity: Int? = nil, oldIndex: String? = nil,
                newIndex: String? = nil, binaryHunks: [BinaryHunk] = []) {
        self.oldPath = oldPath
        self.newPath = newPath
        self.status = status
        self.oldMode = oldMode
        self.newMode = newMode
        self.similarity = similarity
        self.isBinary = isBinary
        self.hunks = hunks
        self.dissimilarity = dissimilarity
        self.oldIndex = oldIndex
        self.newIndex = newIndex
        self.binaryHunks = binaryHunks
    }

    /// The path a reviewer names the file by: the new side, or the old one when deleted.
    public var path: String { newPath ?? oldPath ?? "" }

    /// Lines added, as `git apply --numstat` counts them (0 for binary).
    public var added: Int { hunks.reduce(0) { $0 + $1.added } }
    /// Lines removed, as `git apply --numstat` counts them (0 for binary).
    public var removed: Int { hunks.reduce(0) { $0 + $1.removed } }
}

/// One `literal N` or `delta N` block of a `GIT binary patch`.
public struct BinaryHunk: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case literal, delta
    }

    public var method: Method
    /// The size git wrote after the method: the inflated length of the data.
    public var size: Int
    /// How many base85 lines carry the data.
    public var lineCount: Int

    public init(method: Method, size: Int, lineCount: Int) {
        self.method = method
        self.size = size
        self.lineCount = lineCount
    }
}

/// One `@@ -a,b +c,d @@ context` hunk.
public struct Hunk: Sendable, Hashable {
    public var oldStart: Int
    public var oldCount: Int
    public var newStart: Int
    public var newCount: Int
    /// The function context git writes after the second `@@` (may be empty).
    public var functionContext: String
    public var lines: [DiffLine]

    public init(oldStart: Int, oldCount: Int, newStart: Int, newCount: Int,
                functionContext: String = "", lines: [DiffLine] = []) {
        self.oldStart = oldStart
        self.oldCount = oldCount
        self.newStart = newStart
        self.newCount = newCount
        self.functionContext = functionContext
        self.lines = lines
    }

    public var added: Int { lines.reduce(0) { $0 + ($1.kind == .added ? 1 : 0) } }
    public var removed: Int { lines.reduce(0) { $0 + ($1.kind == .removed ? 1 : 0) } }
}

/// One line of a hunk, without its marker character.
public struct DiffLine: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case context, added, removed
        /// `\ No newline at end of file`, which applies to the line before it.
        case noNewlineMarker
    }

    public var kind: Kind
    public var text: String
    /// Line number on the old side (context and removed lines).
    public var oldLine: Int?
    /// Line number on the new side (context and added lines).
    public var newLine: Int?

    public init(kind: Kind, text: String, oldLine: Int? = nil, newLine: Int? = nil) {
        self.kind = kind
        self.text = text
        self.oldLine = oldLine
        self.newLine = newLine
    }

    /// The line as it stands in the patch, marker included.
    public var patchText: String {
        switch kind {
        case .context: " " + text
        case .added: "+" + text
        case .removed: "-" + text
        case .noNewlineMarker: "\\" + text
        }
    }
}

extension MailAddress {
    /// Parses `Name <email>` (the form person trailers must have); nil when there is no
    /// email in angle brackets.
    public static func parseTrailerPerson(_ value: String) -> MailAddress? {
        guard let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close
        else { return nil }
        let email = value[value.index(after: open)..<close].trimmedWhitespace()
        guard email.contains("@") else { return nil }
        var name = value[..<open].trimmedWhitespace()
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
            name = String(name.dropFirst().dropLast())
        }
        return MailAddress(name: name, email: email)
    }
}
