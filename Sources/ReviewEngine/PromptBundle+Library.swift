import Foundation
import MboxParser
import PromptLibrary

extension PromptBundle {
    /// The texts for one patch of `series`: the fixed guides, the subsystem and pattern
    /// files whose triggers match the patch, the rendered series context, and the request
    /// templates. Returns the matches too, so a plan can say why each file was chosen.
    public static func make(library: PromptLibrary, series: ReviewSeries, patchIndex: Int,
                            subject: String? = nil) throws -> (bundle: PromptBundle, matches: [PromptMatch]) {
        let item = series.patches[patchIndex]
        let matches = library.matches(for: PatchFacts(item.patch, subject: subject ?? item.title))
        do {
            let guides = try PromptLibrary.prefixGuides.filter { $0 != "false-positive-guide" }
                .map { try library.file(named: $0).body }
            let context = try library.render(template: "series-context", variables: [
                "patch_number": String(patchIndex + 1),
                "patch_total": String(series.patches.count),
                "revision": String(series.identity.revision),
                "cover_letter": series.coverLetter.map { $0.isEmpty ? "(empty)" : $0 } ?? "(none)",
                "patch_title": item.title,
                "commit_message": item.patch.commitMessage,
                "diffstat": item.patch.diffstat.isEmpty ? "(none)" : item.patch.diffstat.joined(separator: "\n"),
            ])
            // The evidence follows the patch in the same block, so every task and every
            // verification of the patch sees it and it is cached with the patch.
            let evidence = try evidenceSection(item.evidence, library: library) { material, _ in material }
            let patchContext = evidence.isEmpty ? context
                : context.trimmingCharacters(in: .newlines) + "\n\n" + evidence + "\n"
            let bundle = try PromptBundle(
                protocolText: guides.joined(separator: "\n\n"),
                specTexts: matches.map(\.file.body),
                falsePositiveGuide: try library.file(named: "false-positive-guide").body,
                seriesContext: patchContext,
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
