import Foundation

/// What git says about the commit a `Fixes:` tag names, gathered from the tree.
public struct FixedCommitFacts: Sendable, Hashable {
    public enum Resolution: Sendable, Hashable {
        case unique(String)
        /// Several commits share the abbreviation (their ids, a few).
        case ambiguous([String])
        case unknown
        /// Git could not answer (a broken repository, a timeout): the checks are not done.
        case unreadable(String)
    }

    public var resolution: Resolution
    /// The commit's subject, when it resolved.
    public var subject: String?
    /// Files the commit added, changed or removed.
    public var files: [String]
    /// Functions its hunks changed; nil when not looked up (a file already matched).
    public var functions: [String]?

    public init(resolution: Resolution, subject: String? = nil, files: [String] = [], functions: [String]? = nil) {
        self.resolution = resolution
        self.subject = subject
        self.files = files
        self.functions = functions
    }
}

/// The `Fixes:` checks as pure logic: a tag, the facts the tree gave about its commit, and
/// what the patch changes in, failed checks out with the comment a reviewer would write.
public enum FixesChecks {
    /// Characters of an id submitting-patches asks for.
    static let recommendedIDLength = 12

    /// The three checks of one tag. `facts` nil means there is no tree: each is "not done".
    public static func evaluate(_ tag: FixesTag, facts: FixedCommitFacts?, patchFiles: [String],
                                patchFunctions: [String], tree: String) -> [FixCheck] {
        let what = "Fixes: \(tag.commit)" + (tag.subject.map { " (\"\($0)\")" } ?? "")
        func check(_ kind: FixCheck.Kind, _ outcome: FixCheck.Outcome, _ detail: String, _ comment: String? = nil) -> FixCheck {
            FixCheck(kind: kind, outcome: outcome, subject: what, detail: detail, line: tag.line,
                     comment: outcome == .failed ? comment : nil)
        }
        guard let facts else {
            return [FixCheck.Kind.fixesCommitExists, .fixesSubjectMatches, .fixesTouchesPatch].map {
                check($0, .notDone, "no tree: give --tree or [tree] path to check Fixes: tags")
            }
        }
        let id: String
        switch facts.resolution {
        case .unreadable(let reason):
            return [FixCheck.Kind.fixesCommitExists, .fixesSubjectMatches, .fixesTouchesPatch].map {
                check($0, .notDone, "the tree could not be read: \(reason)")
            }
        case .unknown:
            return [
                check(.fixesCommitExists, .failed, "\(tag.commit) is not a commit of \(tree)",
                      "The Fixes: tag names \(tag.commit), which is not a commit in the tree this was checked "
                        + "against; is the id right, or is the commit only in another tree?"),
                check(.fixesSubjectMatches, .notDone, "the commit is not in the tree"),
                check(.fixesTouchesPatch, .notDone, "the commit is not in the tree"),
            ]
        case .ambiguous(let candidates):
            let listed = candidates.prefix(3).map { String($0.prefix(recommendedIDLength)) }.joined(separator: ", ")
            return [
                check(.fixesCommitExists, .failed, "\(tag.commit) names several commits of \(tree): \(listed)",
                      "The Fixes: tag's \(tag.commit) matches several commits here (\(listed)); could it give "
                        + "\(recommendedIDLength) characters of the id, so it names one?"),
                check(.fixesSubjectMatches, .notDone, "the id is ambiguous"),
                check(.fixesTouchesPatch, .notDone, "the id is ambiguous"),
            ]
        case .unique(let full):
            id = full
        }
        let short = String(id.prefix(recommendedIDLength))
        var results = [check(.fixesCommitExists, .passed, "\(tag.commit) is \(short) in \(tree)")]
        let real = UntrustedText.oneLine(facts.subject ?? "")
        if let quoted = tag.subject {
            if subjectsMatch(quoted, real) {
                results.append(check(.fixesSubjectMatches, .passed, "the subject is \(short)'s"))
            } else {
                results.append(check(.fixesSubjectMatches, .failed, "\(short)'s subject is \"\(real)\"",
                    "The Fixes: tag names \(tag.commit) (\"\(quoted)\"), but that commit's subject is "
                        + "\"\(real)\"; is the id or the quoted subject wrong?"))
            }
        } else {
            results.append(check(.fixesSubjectMatches, .failed, "the tag quotes no subject; \(short) is \"\(real)\"",
                "The Fixes: tag gives no subject; \(tag.commit) is \"\(real)\" here. Could it read "
                    + "Fixes: \(short) (\"\(real)\"), so readers and the stable tools can match it?"))
        }
        let sharedFiles = facts.files.filter { patchFiles.contains($0) }
        let sharedFunctions = (facts.functions ?? []).filter { patchFunctions.contains($0) }
        if let file = sharedFiles.first {
            results.append(check(.fixesTouchesPatch, .passed, "\(short) also changed \(file)"))
        } else if let function = sharedFunctions.first {
            results.append(check(.fixesTouchesPatch, .passed, "\(short) also changed \(function)()"))
        } else {
            let names = patchFiles.prefix(2).map { $0 } + patchFunctions.prefix(2).map { $0 + "()" }
            let touched = names.isEmpty ? "anything this patch changes" : list(names, joiner: "or")
            results.append(check(.fixesTouchesPatch, .failed,
                "\(short) changed \(list(facts.files.prefix(3).map { $0 }, joiner: "and")), none of the patch's files or functions",
                "The Fixes: tag names \(tag.commit) (\"\(tag.subject ?? real)\"), which did not touch \(touched); "
                    + "is this the commit that introduced the problem?"))
        }
        return results
    }

    /// The same subject, ignoring case, spacing and a trailing `...` where the author cut it.
    static func subjectsMatch(_ quoted: String, _ real: String) -> Bool {
        func normalized(_ text: String) -> String {
            text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let wanted = normalized(quoted), actual = normalized(real)
        if wanted == actual { return true }
        for cut in ["...", "…"] where wanted.hasSuffix(cut) {
            let prefix = String(wanted.dropLast(cut.count)).trimmingCharacters(in: .whitespaces)
            if prefix.count >= 10, actual.hasPrefix(prefix) { return true }
        }
        return false
    }

    /// `a`, `a or b`, `a, b or c`.
    static func list(_ items: [String], joiner: String) -> String {
        guard items.count > 1 else { return items.first ?? "nothing" }
        return items.dropLast().joined(separator: ", ") + " \(joiner) " + items.last!
    }
}
