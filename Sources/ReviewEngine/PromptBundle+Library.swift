import Foundation
import MboxParser
import PromptLibrary

extension PromptBundle {
    /// The texts for one patch of `series`: the fixed guides, the subsystem and pattern
    /// files whose triggers match the patch, the rendered series context, and the request
    /// templates. Returns the matches too, so a plan can say why each file was chosen.
    /// `maxFindings` is `[review] max_findings_per_patch`, the limit core.md states.
    public static func make(library: PromptLibrary, series: ReviewSeries, patchIndex: Int,
                            subject: String? = nil, maxFindings: Int) throws
        -> (bundle: PromptBundle, matches: [PromptMatch])
    {
        let item = series.patches[patchIndex]
        let matches = library.matches(for: PatchFacts(item.patch, subject: subject ?? item.title))
        let variables = PromptLibrary.guideVariables(maxFindings: maxFindings)
        do {
            let guides = try PromptLibrary.prefixGuides.filter { $0 != "false-positive-guide" }
                .map { try library.renderedGuide(named: $0, variables: variables) }
            let context = try library.render(template: "series-context", variables: [
                "patch_number": String(patchIndex + 1),
                "patch_total": String(series.patches.count),
                "revision": String(series.identity.revision),
                "cover_letter": series.coverLetter.map { $0.isEmpty ? "(empty)" : $0 } ?? "(none)",
                "patch_title": item.title,
                "commit_message": item.patch.commitMessage,
                "diffstat": item.patch.diffstat.isEmpty ? "(none)" : item.patch.diffstat.joined(separator: "\n"),
            ])
            let bundle = try PromptBundle(
                protocolText: guides.joined(separator: "\n\n"),
                specTexts: matches.map(\.file.body),
                falsePositiveGuide: try library.renderedGuide(named: "false-positive-guide", variables: variables),
                seriesContext: context,
                task: try library.template(named: "task"),
                verify: try library.template(named: "verify-task"))
            return (bundle, matches)
        } catch let error as ReviewEngineError {
            throw error
        } catch {
            throw ReviewEngineError.prompt("\(error)")
        }
    }
}
