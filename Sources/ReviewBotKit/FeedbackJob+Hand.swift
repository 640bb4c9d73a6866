import Foundation
import PromptLibrary
import ReviewEngine

extension FeedbackJob {
    /// A verdict given by hand, and the lesson a rejection with a reason became.
    public struct HandVerdict: Sendable {
        public var fingerprint: String
        /// The newest review that kept the finding, when the state database has one.
        public var finding: KeptFinding?
        public var lesson: Lesson?

        public var listing: String {
            var lines = ["recorded for \(fingerprint.prefix(12))"
                + (finding.map { ": \($0.category) in \(TerminalSafe.line($0.file)) (\(TerminalSafe.line($0.patchTitle)))" } ?? "")]
            if let lesson {
                lines.append("lesson \(lesson.id) added for \(lesson.scope.joined(separator: ", ")): it goes into the "
                    + "prompt of every review these guides match (reviewbot lessons shows and edits it)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// `feedback --accept/--reject FINGERPRINT [--why TEXT] [--label L]`. The fingerprint
    /// may be abbreviated when the state database knows exactly one that starts so; a full
    /// one is taken even when it does not (the database may be newer than the review). A
    /// rejection with `why` becomes a lesson scoped to the guides in force for the finding.
    public func recordByHand(_ verdict: FeedbackVerdict, fingerprint given: String, label: FeedbackLabel?, why: String?,
                             store: StateStore, date: Date = Date()) throws -> HandVerdict {
        let prefix = given.lowercased()
        guard (4...64).contains(prefix.count), prefix.allSatisfy(\.isHexDigit) else {
            throw ReviewBotError("\(given.debugDescription) is not a fingerprint: give the hex digits findings.json shows "
                + "(at least 4)")
        }
        if let label { try Self.check(label, with: verdict) }
        let reason = try why.map(Lessons.checkedText)
        let known = try store.fingerprints(startingWith: prefix)
        let fingerprint: String
        switch known.count {
        case 1: fingerprint = known[0]
        case 0 where prefix.count == 64: fingerprint = prefix
        case 0:
            throw ReviewBotError("no finding's fingerprint starts with \(prefix) in \(store.path); give the whole "
                + "fingerprint from findings.json")
        default:
            throw ReviewBotError("\(known.count) fingerprints start with \(prefix) (\(known.prefix(4).map { $0.prefix(16) }.joined(separator: ", "))); give more digits")
        }
        let finding = try store.keptFindings(fingerprint: fingerprint).first
        try store.recordFeedback(FindingFeedback(fingerprint: fingerprint, verdict: verdict, label: label, why: reason,
                                                 source: .hand, recordedAt: date))
        var result = HandVerdict(fingerprint: fingerprint, finding: finding, lesson: nil)
        if verdict == .rejected, let reason {
            var lesson = Lesson(scope: Lessons.scope(for: finding, subsystems: subsystemGuides()), text: reason, category: finding?.category,
                                fingerprint: fingerprint, createdAt: date, updatedAt: date)
            lesson.id = try store.addLesson(lesson)
            result.lesson = lesson
        }
        return result
    }

    /// The names of the library's subsystem files: a lesson is scoped to those among the
    /// finding's guides, so a note about one driver family does not reach every patch a
    /// general guide also matches. Without a readable library the scope falls back to all
    /// the finding's guides.
    func subsystemGuides() -> Set<String> {
        let library = try? PromptLibrary.load(
            explicitOverride: configuration.promptsDirectory.map { URL(fileURLWithPath: $0) }, environment: environment)
        return Set(library?.files.filter { $0.kind == .subsystem }.map(\.name) ?? [])
    }

    /// NIPA's labels that contradict a verdict: an `emailed` comment was not rejected, and
    /// a `false-positive` was not accepted.
    static func check(_ label: FeedbackLabel, with verdict: FeedbackVerdict) throws {
        switch (label, verdict) {
        case (.emailed, .rejected):
            throw ReviewBotError("--label emailed says the comment was sent; use it with --accept, not --reject")
        case (.falsePositive, .accepted), (.falsePositive, .edited):
            throw ReviewBotError("--label false-positive says the comment was wrong; use it with --reject")
        default:
            return
        }
    }
}
