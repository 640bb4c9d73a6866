import Foundation
import ReviewEngine

/// `reviewbot lessons edit ID`: a lesson as a small text file the maintainer edits in
/// `$EDITOR`, and that file read back.
public enum LessonEditing {
    /// The file the editor opens.
    public static func render(_ lesson: Lesson) -> String {
        """
        # Lesson \(lesson.id)\(lesson.category.map { ", from a \($0) finding" } ?? "").
        # The scope line names the guides or pattern files it applies to (as
        # `reviewbot prompts list` names them), or * for every review. Lines starting
        # with # are left out. Save the file empty to leave the lesson as it was.
        scope: \(lesson.scope.joined(separator: " "))

        \(lesson.text)

        """
    }

    /// The scope and text of an edited file; nil when it holds nothing (no change).
    public static func parse(_ text: String) throws -> (scope: [String], text: String)? {
        var scope: [String]?
        var body: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix("#") {
            if scope == nil, line.hasPrefix("scope:") {
                scope = line.dropFirst("scope:".count).split(whereSeparator: \.isWhitespace).map(String.init)
            } else {
                body.append(line)
            }
        }
        let lesson = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if lesson.isEmpty, scope?.isEmpty ?? true { return nil }
        guard let scope, !scope.isEmpty else {
            throw ReviewBotError("the lesson has no 'scope:' line; name the guides it applies to, or * for every review")
        }
        for name in scope where name != "*" {
            guard name.range(of: #"^[a-z0-9][a-z0-9._-]*$"#, options: .regularExpression) != nil else {
                throw ReviewBotError("scope '\(name)' is not a prompt file name (lowercase letters, digits, '.', '_', '-'), nor *")
            }
        }
        return (scope, try Lessons.checkedText(lesson))
    }
}
