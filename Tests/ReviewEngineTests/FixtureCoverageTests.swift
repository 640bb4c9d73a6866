import Foundation
import MboxParser
import Testing
@testable import ReviewEngine

/// The planner's promise on real mail: every changed line of every fixture patch is in
/// exactly one task or listed as skipped, at the default budget and at a tiny one that
/// forces hunks to be split.
@Suite struct FixtureCoverageTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MboxParserTests/Fixtures")

    static var patches: [(name: String, patch: Patch)] {
        let files = FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }
            .filter { !$0.hasDirectoryPath && !["md", "tsv", "txt", "verify", "json"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
        var result: [(String, Patch)] = []
        for file in files {
            guard let read = try? SeriesMessage.read(path: file.path) else { continue }
            for message in read.messages {
                if let patch = message.patch { result.append(("\(file.lastPathComponent):\(message.location.number)", patch)) }
            }
        }
        return result
    }

    @Test(arguments: [250, 7])
    func everyChangedLineIsInOneTaskOrSkipped(budget: Int) {
        let all = Self.patches
        #expect(all.count > 150, "the fixtures hold far more patches than \(all.count)")
        var options = PlanningOptions()
        options.maxChangedLinesPerTask = budget
        var tasks = 0
        for (name, patch) in all {
            let plan = PatchPlan.make(patch: patch, patchIndex: 0, title: name, options: options)
            tasks += plan.tasks.count
            let violations = plan.coverageViolations(for: patch)
            #expect(violations.isEmpty, "\(name): \(violations.prefix(3))")
            for task in plan.tasks {
                #expect(task.changedLineCount <= budget, "\(name) \(task.id): \(task.changedLineCount) changed lines")
            }
        }
        #expect(tasks >= all.count / 2)
    }
}
