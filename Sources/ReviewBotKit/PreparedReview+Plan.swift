import Foundation
import MboxParser
import PromptLibrary
import ReviewEngine

/// `reviewbot plan`: the tasks, their estimated tokens, the prompt files that matched and
/// why, and the estimated cost, before any request.
struct PlanDocument: Encodable {
    struct Task: Encodable {
        var id: String
        var scope: String
        var changedLines: Int
        var estimatedTokens: Int
        /// With a tree: the code context sections read for the task (nil without a tree,
        /// empty when its patch did not apply).
        var context: [Section]?
        var omitted: [String]?
    }

    struct Section: Encodable {
        var kind: String
        var title: String
        var tokens: Int
    }

    /// The tree the review reads, or why there is none.
    struct Tree: Encodable {
        var repository: String
        var base: String
        var baseCommit: String
        var baseSource: String
        var notApplied: [NotApplied]
    }

    struct NotApplied: Encodable {
        var patch: Int
        var reason: String
    }

    struct Match: Encodable {
        var file: String
        var why: [String]
    }

    struct Skipped: Encodable {
        var file: String
        var reason: String
        var detail: String
        var changedLines: Int
    }

    struct PatchPlan: Encodable {
        var index: Int
        var title: String
        var messageId: String
        var tasks: [Task]
        var skipped: [Skipped]
        var matched: [Match]
        var prefixTokens: Int
        /// What reading the mail and parsing the patch tolerated; unplaced diff lines are
        /// also in `skipped`.
        var warnings: [String]
        /// Set when a mail client damaged the patch: nothing of it is reviewed.
        var mangled: String?
        /// False when `--patches` left the patch out.
        var selected: Bool
    }

    struct Estimate: Encodable {
        var input: Int
        var cacheWrite: Int
        var cacheRead: Int
        var output: Int
        var cost: Double?
    }

    var title: String
    var version: Int
    var messageId: String?
    var complete: Bool
    var missing: [Int]
    var model: String
    var patches: [PatchPlan]
    var estimate: Estimate
    var notes: [String]
    /// Nil: the review has no tree context.
    var tree: Tree?
}

extension PreparedReview {
    /// Estimated tokens of the cached prefix every request about patch `patchIndex` starts
    /// with (system blocks: guides, shared specs, series context): the figure `plan` and
    /// `prompts match` both print.
    public func prefixTokens(patchIndex: Int) -> Int {
        PromptAssembly.prefix(bundle: bundles[patchIndex], series: reviewSeries, patchIndex: patchIndex)
            .blocks.reduce(0) { $0 + TokenEstimate.tokens(for: $1.text) }
    }

    var planDocument: PlanDocument {
        let patchPlans = plan.patches.map { patchPlan in
            let item = patches[patchPlan.patchIndex]
            return PlanDocument.PatchPlan(
                index: item.number, title: item.title, messageId: item.mail.messageID,
                tasks: patchPlan.tasks.map { task in
                    let context = tree.map { $0.contexts[task.id] ?? TaskCodeContext(sections: []) }
                    return .init(id: task.id, scope: task.scope, changedLines: task.changedLineCount,
                                 estimatedTokens: task.estimatedTokens,
                                 context: context?.sections.map {
                                     .init(kind: $0.kind.rawValue, title: $0.title, tokens: TokenEstimate.tokens(for: $0.text))
                                 },
                                 omitted: context?.omitted)
                },
                skipped: patchPlan.skipped.map {
                    .init(file: $0.file, reason: $0.reason.rawValue, detail: $0.detail, changedLines: $0.changedLineCount)
                },
                matched: matches[patchPlan.patchIndex].map { match in
                    .init(file: match.file.path, why: match.hits.map { hit in
                        "\(hit.source.rawValue) \(hit.text)" + (hit.context.map { ", near \($0)" } ?? "")
                    })
                },
                prefixTokens: prefixTokens(patchIndex: patchPlan.patchIndex), warnings: item.warnings,
                mangled: item.patch.mangling?.rawValue,
                selected: !patchPlan.skipped.contains { $0.reason == .notSelected })
        }
        let u = estimate.usage
        return PlanDocument(
            title: seriesTitle, version: series.revision,
            messageId: series.cover?.message.messageID ?? series.patches.first?.message.messageID,
            complete: series.isComplete, missing: series.missing,
            model: modelName, patches: patchPlans,
            estimate: .init(input: u.input, cacheWrite: u.cacheWrite, cacheRead: u.cacheRead, output: u.output,
                            cost: estimate.cost),
            notes: notes,
            tree: tree.map { tree in
                let summary = tree.summary
                return .init(repository: summary.repository, base: summary.baseDescription, baseCommit: summary.baseCommit,
                             baseSource: summary.baseSource.rawValue,
                             notApplied: summary.notApplied.keys.sorted().map {
                                 .init(patch: patches.indices.contains($0) ? patches[$0].number : $0 + 1,
                                       reason: summary.notApplied[$0]!)
                             })
            })
    }

    public var planJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(planDocument), as: UTF8.self) + "\n"
    }

    /// The plan for a terminal: one block per patch.
    public var planListing: String {
        let doc = planDocument
        var out = ["\(doc.title) (v\(doc.version), \(patches.count) patch\(patches.count == 1 ? "" : "es")"
                   + (doc.complete ? ")" : ", missing \(doc.missing.map(String.init).joined(separator: ", ")))")]
        if let tree = doc.tree {
            out.append("tree: \(tree.repository), \(tree.base)")
            for skipped in tree.notApplied {
                out.append("     patch \(skipped.patch) did not apply (reviewed without tree context): \(skipped.reason)")
            }
        } else {
            out.append("no tree context: the model sees only the diffs (give --tree to let it read the code)")
        }
        for p in doc.patches {
            out.append("")
            out.append(String(format: "%04d ", p.index) + p.title + (p.selected ? "" : "  (not selected)")
                       + (p.mangled.map { "  (MANGLED: \($0))" } ?? ""))
            out.append("     prefix ~\(p.prefixTokens) tokens: " + (p.matched.isEmpty ? "no subsystem or pattern file matched"
                       : p.matched.map { "\($0.file) (\($0.why.first ?? ""))" }.joined(separator: ", ")))
            for t in p.tasks {
                out.append("     \(t.id)  \(t.scope): \(t.changedLines) changed lines, ~\(t.estimatedTokens) tokens")
                guard let sections = t.context else { continue }
                if sections.isEmpty { out.append("           context: none") }
                for section in sections where section.kind != "caller" {
                    out.append("           \(section.kind): \(section.title), ~\(section.tokens) tokens")
                }
                let callers = sections.filter { $0.kind == "caller" }
                out.append("           callers found: \(callers.count)"
                           + (callers.isEmpty ? "" : " (" + callers.map(\.title).joined(separator: "; ") + ")"))
                for left in t.omitted ?? [] { out.append("           left out (over budget): \(left)") }
            }
            for s in p.skipped {
                out.append("     skipped \(s.file): \(s.reason), \(s.changedLines) changed lines (\(s.detail))")
            }
            for warning in p.warnings {
                out.append("     warning: \(warning)")
            }
        }
        let e = doc.estimate
        out.append("")
        out.append("\(plan.tasks.count) task\(plan.tasks.count == 1 ? "" : "s"); estimated tokens: \(e.input) input, "
                   + "\(e.cacheWrite) cache write, \(e.cacheRead) cache read, \(e.output) output")
        out.append("estimated cost: " + (e.cost.map { String(format: "$%.4f", $0) } ?? "unknown (no price for \(doc.model))")
                   + " with \(doc.model)")
        return out.joined(separator: "\n") + "\n"
    }
}
