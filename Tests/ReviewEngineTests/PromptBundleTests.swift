import Foundation
import MboxParser
import PromptLibrary
import Testing
@testable import ReviewEngine

/// The engine's requests built from the real bundled prompt files.
@Suite struct PromptBundleTests {
    let library = try! PromptLibrary.load()

    func soundSeries() -> ReviewSeries {
        let patch = Patch(commitMessage: "Handle a failing hardware init.\n\nSigned-off-by: A <a@example.org>\n",
                          diffstat: [" sound/pci/y.c | 3 +++", " 1 file changed, 3 insertions(+)"],
                          files: [fileDiff("sound/pci/y.c", [
                              hunk(oldStart: 120, newStart: 120, function: "static int y_probe(struct pci_dev *pci)",
                                   ["+\terr = y_hw_init(chip);", "+\tif (err)", "+\t\treturn err;"]),
                          ])])
        return series([patch], cover: "This series fixes error paths.")
    }

    @Test func seriesContextEndsTheCachedPrefix() throws {
        let s = soundSeries()
        let (bundle, matches) = try PromptBundle.make(library: library, series: s, patchIndex: 0, maxFindings: 8)
        #expect(matches.map(\.file.path).contains("subsystems/sound.md"))
        #expect(bundle.specTexts.contains(try library.file(named: "sound").body))
        let prefix = PromptAssembly.prefix(bundle: bundle, series: s, patchIndex: 0)
        let variables = PromptLibrary.guideVariables(maxFindings: 8)
        #expect(prefix.first?.text == (try library.renderedGuide(named: "core", variables: variables)) + "\n\n"
                + (try library.renderedGuide(named: "inline-style", variables: variables)))
        #expect(prefix.first?.text.contains("Report at most 8 findings") == true)
        let context = try #require(prefix.last?.text)
        #expect(prefix.last?.cacheControl != nil)
        #expect(context.contains("Patch 1 of 1, revision 1 of the series."))
        #expect(context.contains("This series fixes error paths."))
        #expect(context.contains("Handle a failing hardware init."))
        #expect(context.contains(" sound/pci/y.c | 3 +++"))
        #expect(!context.contains("{{"))
    }

    @Test func taskMessageNamesTheScopeAndCarriesTheHunks() throws {
        let s = soundSeries()
        let (bundle, _) = try PromptBundle.make(library: library, series: s, patchIndex: 0, maxFindings: 8)
        let plan = ReviewPlan.make(series: s, options: PlanningOptions())
        let prefix = PromptAssembly.prefix(bundle: bundle, series: s, patchIndex: 0)
        let request = try PromptAssembly.reviewRequest(task: plan.tasks[0], prefix: prefix, bundle: bundle,
                                                       settings: RequestSettings(model: "m"))
        let user = request.messages[0].content[0].text
        #expect(user.contains("## This task: sound/pci/y.c (static int y_probe(struct pci_dev *pci))"))
        #expect(user.contains("+\terr = y_hw_init(chip);\n"))
        #expect(user.contains("`report_findings`"))
    }

    @Test func overrideTemplateWithAnUnknownVariableIsRefused() throws {
        #expect(throws: ReviewEngineError.self) {
            try PromptBundle(protocolText: "p", specTexts: [], falsePositiveGuide: "f", seriesContext: "s",
                             task: try PromptTemplate(name: "task", text: "{{hunks}} {{author_email}}"),
                             verify: try PromptTemplate(name: "verify", text: "{{hunks}}"))
        }
    }
}
