import Foundation

extension KernelTree {
    /// Chooses the base of `series`, trying in order: a `base-commit:` line (the cover
    /// letter's, then each patch's) naming a commit the repository has; `userBase`; the
    /// blob guess; HEAD. A `userBase` git cannot resolve is an error even when another
    /// choice wins, so a typo never goes unnoticed.
    public func chooseBase(series: [SeriesPatchInput], coverBaseCommit: String?, userBase: String?) throws -> BaseChoice {
        var user: String?
        if let userBase {
            guard !userBase.isEmpty, !userBase.hasPrefix("-"), let commit = try repository.resolveCommit(userBase) else {
                throw KernelTreeError(.unknownRevision, "--base \(userBase) is not a commit in \(repository.path); "
                    + "give a branch, tag or commit id that `git rev-parse` knows there")
            }
            user = commit
        }
        var notes: [String] = []
        var lines: [(String, String)] = []
        if let cover = coverBaseCommit { lines.append((cover, "the cover letter")) }
        for (index, patch) in series.enumerated() {
            if let line = patch.baseCommit { lines.append((line, "patch \(index + 1)")) }
        }
        var tried = Set<String>()
        for (value, place) in lines where tried.insert(value).inserted {
            guard ObjectID.isHex(value) else {
                notes.append("base-commit in \(place) is not a commit id")
                continue
            }
            if let commit = try repository.resolveCommit(value) {
                let skipped = userBase.map { "; --base \($0) not used: the series names its base" } ?? ""
                return try choice(commit, .baseCommitLine, "base-commit \(try label(commit)) from \(place)\(skipped)")
            }
            notes.append("base-commit \(value.prefix(12)) is not in the repository")
        }
        let fallback = notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"
        if let user, let userBase {
            return try choice(user, .userGiven, "--base \(userBase): \(try label(user))\(fallback)")
        }
        if let guess = try guessBase(series) {
            return try choice(guess.commit, .blobGuess, "guessed from blob ids: \(try label(guess.commit)), the newest "
                + "of \(guess.checked) commits where all \(guess.matched) pre-image blobs match\(fallback)")
        }
        guard let head = try repository.resolveCommit("HEAD") else {
            throw KernelTreeError(.notARepository, "tree \(repository.path) has no commits; give --tree a checkout with history")
        }
        return try choice(head, .head, "HEAD \(try label(head)), applied with a 3-way merge"
            + " (no base-commit line, --base or blob match)\(fallback)")
    }

    private func choice(_ commit: String, _ source: BaseSource, _ description: String) throws -> BaseChoice {
        BaseChoice(commit: commit, tree: try repository.treeOf(commit), source: source, description: description)
    }

    /// `1a2b3c4d5e6f ("subject")`.
    func label(_ commit: String) throws -> String {
        let result = try repository.run(["log", "-1", "--no-show-signature", "--format=%s", commit, "--"],
                                        limit: 4096, timeout: 10)
        let subject = result.status == 0 ? result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : ""
        let safe = String(subject.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\u{7F}" }.prefix(80))
        return String(commit.prefix(12)) + (safe.isEmpty ? "" : " (\"\(safe)\")")
    }

    /// The blob ids a series expects before it: each path's pre-image in the first patch
    /// that touches it (later patches expect what earlier ones wrote).
    static func preimages(_ series: [SeriesPatchInput]) -> [(path: String, blob: String)] {
        var seen = Set<String>()
        var result: [(String, String)] = []
        for patch in series {
            for file in patch.files {
                defer {
                    if let old = file.oldPath { seen.insert(old) }
                    if let new = file.newPath { seen.insert(new) }
                }
                guard let old = file.oldPath, !seen.contains(old), TreePath.problem(old) == nil,
                      let blob = file.oldIndex, ObjectID.isHex(blob, minimum: 7), !ObjectID.isNull(blob) else { continue }
                result.append((old, blob.lowercased()))
            }
        }
        return result
    }

    /// The newest commit on HEAD's history, within `blobGuessCommits` commits that touch
    /// the series' files, where every pre-image blob matches (as b4 guesses a base).
    func guessBase(_ series: [SeriesPatchInput]) throws -> (commit: String, matched: Int, checked: Int)? {
        let wanted = Array(Self.preimages(series).prefix(KernelTreeLimits.blobGuessPaths))
        guard !wanted.isEmpty, let head = try repository.resolveCommit("HEAD") else { return nil }
        let listing = try repository.run(["--literal-pathspecs", "rev-list", "--max-count=\(KernelTreeLimits.blobGuessCommits)",
                                          head, "--"] + wanted.map(\.path),
                                         timeout: KernelTreeLimits.blobGuessTimeoutSeconds)
        // A walk cut by its deadline still gives the newest candidates.
        guard listing.status == 0 || listing.timedOut else { return nil }
        var candidates = [head]
        for line in listing.stdoutText.split(separator: "\n") where ObjectID.isFull(String(line)) && line != head {
            candidates.append(String(line))
        }
        let requests = candidates.flatMap { commit in wanted.map { "\(commit):\($0.path)\n" } }.joined()
        let answer = try repository.run(["cat-file", "--batch-check=%(objectname)"], stdin: Array(requests.utf8))
        try repository.check(answer, ["cat-file"])
        let blobs = answer.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        for (number, commit) in candidates.enumerated() {
            let matches = wanted.indices.allSatisfy { k in
                let at = number * wanted.count + k
                return at < blobs.count && blobs[at].hasPrefix(wanted[k].blob)
            }
            if matches { return (commit, wanted.count, number + 1) }
        }
        return nil
    }
}
