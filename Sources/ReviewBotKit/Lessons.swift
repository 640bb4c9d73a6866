import Foundation
import PromptLibrary
import ReviewEngine

/// Bounds on the maintainer's lessons: they go into every matching review's system prompt.
public enum LessonLimits {
    /// Bytes of one lesson: a sentence or two, like a line of a guide's quick checks.
    public static let maxLessonBytes = 400
    /// Bytes of all lessons in one prompt: about 750 tokens, a tenth of a subsystem guide's
    /// budget, newest lessons first; older ones that do not fit are left out and counted.
    public static let maxPromptBytes = 3_000
}

/// Lessons in reviews: the maintainer's notes go into the system prompt's guide group
/// (the cached prefix every patch shares), after the guides, labelled as the maintainer's
/// own (`templates/lessons.md`). They are the user's instructions, not material from
/// strangers, so they are not fenced; they are bounded, and only the `--why` text of a
/// rejection (or what `reviewbot lessons edit` saved) ever becomes one: nothing from mail
/// or from the model does. They are never written into the bundled `review-prompts/`.
public enum Lessons {
    /// The lessons of the state database at the XDG state path, or none when there is no
    /// database yet (a plan or dry run never creates it).
    public static func load(environment: [String: String]) throws -> [Lesson] {
        let url = XDGDirectories(environment: environment).stateDatabase
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try StateStore(url: url).lessons()
    }

    /// The block for a review whose guides are `names`, newest lesson first, within
    /// `LessonLimits.maxPromptBytes`; nil when no lesson applies.
    public static func promptText(_ lessons: [Lesson], matching names: Set<String>,
                                  library: PromptLibrary) throws -> (text: String, shown: Int, leftOut: Int)? {
        let applicable = lessons.filter { $0.applies(to: names) }
        guard !applicable.isEmpty else { return nil }
        var lines: [String] = []
        var bytes = 0
        for lesson in applicable {
            let scope = lesson.scope.contains("*") ? "every review" : lesson.scope.joined(separator: ", ")
            let category = lesson.category.map { " [\($0)]" } ?? ""
            let text = lesson.text.split(separator: "\n", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n  ")
            let line = "- (\(scope))\(category) \(text)"
            guard bytes + line.utf8.count <= LessonLimits.maxPromptBytes else { break }
            bytes += line.utf8.count + 1
            lines.append(line)
        }
        guard !lines.isEmpty else { return nil }
        let leftOut = applicable.count - lines.count
        if leftOut > 0 {
            lines.append("- (\(leftOut) older note\(leftOut == 1 ? "" : "s") left out: the notes are limited to "
                + "\(LessonLimits.maxPromptBytes) bytes)")
        }
        let text = try library.render(template: "lessons", variables: ["lessons": lines.joined(separator: "\n")])
        return (text, lines.count - (leftOut > 0 ? 1 : 0), leftOut)
    }

    /// A lesson's text as the maintainer gave it, trimmed, or why it cannot be one.
    public static func checkedText(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ReviewBotError("the lesson is empty: say in a sentence why the finding is wrong") }
        guard trimmed.utf8.count <= LessonLimits.maxLessonBytes else {
            throw ReviewBotError("the lesson is \(trimmed.utf8.count) bytes; keep it within \(LessonLimits.maxLessonBytes) "
                + "(a sentence or two: it goes into every matching review's prompt)")
        }
        if let bad = trimmed.unicodeScalars.first(where: {
            $0 != "\n" && $0 != "\t" && ($0.properties.generalCategory == .control || $0.properties.generalCategory == .format)
        }) {
            throw ReviewBotError("the lesson holds a control character (U+\(String(bad.value, radix: 16, uppercase: true))); "
                + "write it as plain text")
        }
        return trimmed
    }

    /// The scope of a lesson learnt from `finding`: the subsystem guides (those named in
    /// `subsystems`) in force for its patch; else its other guides; else its pattern
    /// files; else every review.
    public static func scope(for finding: KeptFinding?, subsystems: Set<String> = []) -> [String] {
        guard let finding else { return ["*"] }
        let ownSubsystems = finding.guides.filter(subsystems.contains)
        if !ownSubsystems.isEmpty { return ownSubsystems }
        if !finding.guides.isEmpty { return finding.guides }
        if !finding.patterns.isEmpty { return finding.patterns }
        return ["*"]
    }
}

extension PreparedReview {
    /// Adds the lessons that apply to this series (their scope names a guide or pattern
    /// file matched by any of its patches) after every bundle's guides, so they are part
    /// of the cached prefix all patches share; the estimate is redone with them.
    public mutating func addLessons(_ lessons: [Lesson], library: PromptLibrary) throws {
        let names = Set(matches.flatMap { $0.map(\.file.name) })
        guard let block = try Lessons.promptText(lessons, matching: names, library: library) else { return }
        for index in bundles.indices { bundles[index].specTexts.append(block.text) }
        lessonsShown = block.shown
        estimate = plan.estimate(series: reviewSeries, prompts: bundles, model: modelName, prices: prices, tree: tree)
    }

    /// What the maintainer taught earlier reviews, from the state database when there is
    /// one: the lessons that apply, and the comments disputed on an earlier revision. A
    /// database that cannot be read is a note, never a failed review.
    mutating func addStoredFeedback(environment: [String: String], library: PromptLibrary) {
        do {
            try addLessons(try Lessons.load(environment: environment), library: library)
        } catch {
            notes.append("your lessons were not added: \(error)")
        }
        addStoredDisputes(environment: environment, library: library)
    }
}
