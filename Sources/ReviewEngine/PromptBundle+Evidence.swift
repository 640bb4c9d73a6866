import FixEvidence
import Foundation
import PromptLibrary

extension PromptBundle {
    /// The evidence part of a patch's context block: one rendered template per kind of
    /// evidence the patch has (`templates/evidence-*.md`), each piece of material fenced
    /// (`MaterialFence`): reports, comments and our earlier findings are strangers' text.
    /// Empty when the patch has none, so a patch with nothing to check against gets the
    /// same context as before.
    /// `notes` is the text below the patch's `---`: the changelog the author wrote for
    /// the reviewers of the earlier revision.
    static func evidenceSection(_ evidence: PatchEvidence?, notes: String = "", library: PromptLibrary) throws -> String {
        guard let evidence else { return "" }
        func fence(_ material: String, _ label: String) -> String { MaterialFence.wrap(material, label: label) }
        var parts: [String] = []
        if !evidence.syzbot.isEmpty {
            let reports = evidence.syzbot.map { fence($0.summary, "syzbot bug \($0.reference)") }
            parts.append(try library.render(template: "evidence-syzbot", variables: ["reports": reports.joined(separator: "\n\n")]))
        }
        if !evidence.checks.isEmpty {
            let checks = evidence.checks.map(\.material).joined(separator: "\n")
            parts.append(try library.render(template: "evidence-checks", variables: ["checks": fence(checks, "check results")]))
        }
        if !evidence.earlierComments.isEmpty {
            let comments = evidence.earlierComments.map { fence($0.material, "review comment \($0.id)") }
            let changelog = notes.trimmingCharacters(in: .whitespacesAndNewlines)
            parts.append(try library.render(template: "evidence-comments", variables: [
                "comments": comments.joined(separator: "\n\n"),
                "changelog": changelog.isEmpty ? "(none)" : fence(Self.bounded(changelog), "notes below ---"),
            ]))
        }
        if !evidence.previousFindings.isEmpty {
            let findings = evidence.previousFindings.map { fence($0.material, "our earlier finding \($0.id)") }
            parts.append(try library.render(template: "evidence-findings",
                                            variables: ["findings": findings.joined(separator: "\n\n")]))
        }
        if !evidence.botComments.isEmpty {
            let comments = evidence.botComments.map { fence($0.material, "AI reviewer's comment \($0.id)") }
            parts.append(try library.render(template: "evidence-bots",
                                            variables: ["comments": comments.joined(separator: "\n\n")]))
        }
        return parts.joined(separator: "\n\n")
    }

    /// The changelog shown: authors keep it short; a long one (a range-diff pasted in) is
    /// cut at this many bytes, about 1,000 tokens.
    static let changelogBytes = 4_000

    static func bounded(_ text: String) -> String {
        guard text.utf8.count > changelogBytes else { return text }
        return String(decoding: text.utf8.prefix(changelogBytes), as: UTF8.self) + "\n[cut at \(changelogBytes) bytes]"
    }
}
