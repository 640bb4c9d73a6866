import Foundation
import MboxParser
import PromptLibrary

extension PromptBundle {
    /// The texts for one patch of `series`: the fixed guides, the subsystem and pattern
    /// files whose triggers match the patch, the rendered series context (material fenced,
    /// this patch's own guides named), and the request templates. Returns the matches too,
    /// so a plan can say why each file was chosen.
    /// `maxFindings` is `[review] max_findings_per_patch`, the limit core.md states.
    public static func make(library: PromptLibrary, series: ReviewSeries, patchIndex: Int,
                            subject: String? = nil, maxFindings: Int) throws
        -> (bundle: PromptBundle, matches: [PromptMatch])
    {
        let item = series.patches[patchIndex]
        let matches = library.matches(for: PatchFacts(item.patch, subject: subject ?? item.title))
        let variables = PromptLibrary.guideVariables(maxFindings: maxFindings)
        do {
            let fences = try library.render(template: "data-fences", variables: [
                "fence_open": MaterialFence.openLine(id: "ID"), "fence_close": MaterialFence.closeLine(id: "ID"),
            ])
            let guides = try PromptLibrary.prefixGuides.filter { $0 != "false-positive-guide" }
                .map { try library.renderedGuide(named: $0, variables: variables) }
            let context = try library.render(template: "series-context", variables: [
                "patch_number": String(patchIndex + 1),
                "patch_total": String(series.patches.count),
                "revision": String(series.identity.revision),
                "cover_letter": series.coverLetter.map {
                    MaterialFence.wrap($0.isEmpty ? "(empty)" : $0, label: "cover letter")
                } ?? "(none)",
                "patch_title": MaterialFence.wrap(item.title, label: "patch title"),
                "commit_message": MaterialFence.wrap(item.patch.commitMessage, label: "commit message"),
                "diffstat": item.patch.diffstat.isEmpty ? "(none)"
                    : MaterialFence.wrap(item.patch.diffstat.joined(separator: "\n"), label: "diffstat"),
                "patch_guides": try library.render(template: "patch-guides", variables: ["guides": ownGuides(matches)]),
            ])
            // The evidence follows the patch in the same block, so every task and every
            // verification of the patch sees it and it is cached with the patch.
            let evidence = try evidenceSection(item.evidence, notes: item.patch.notes, library: library)
            let patchContext = evidence.isEmpty ? context
                : context.trimmingCharacters(in: .newlines) + "\n\n" + evidence + "\n"
            let bundle = try PromptBundle(
                protocolText: (guides + [fences]).joined(separator: "\n\n"),
                verifyProtocol: try library.file(named: "verify").body + "\n\n" + fences,
                specTexts: matches.map(\.file.body),
                falsePositiveGuide: try library.renderedGuide(named: "false-positive-guide", variables: variables),
                seriesContext: patchContext,
                task: try library.template(named: "task"),
                verify: try library.template(named: "verify-task"),
                codeContext: try library.template(named: "code-context"),
                codeContextNotApplied: try library.template(named: "not-applied"))
            return (bundle, matches)
        } catch let error as ReviewEngineError {
            throw error
        } catch {
            throw ReviewEngineError.prompt("\(error)")
        }
    }

    /// The guides of the system prompt that matched this patch and why, one line each, or
    /// `(none)`: the system prompt carries every guide matched anywhere in the series (one
    /// cached prefix for all patches), so each patch names its own. Only our text: file
    /// names and trigger patterns from the guides' front matter, never the patch text that
    /// matched.
    static func ownGuides(_ matches: [PromptMatch]) -> String {
        guard !matches.isEmpty else { return "(none)" }
        return matches.map { match in
            "- \(match.file.name) (\(match.file.path)): \(match.hits.map(\.reason).joined(separator: "; "))"
        }.joined(separator: "\n")
    }
}
