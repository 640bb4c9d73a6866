import Foundation

extension KernelTree {
    /// Applies the patches one after another on `base`, into a temporary index file
    /// (`git read-tree`, `git apply --cached`, `git write-tree`): each patch's result is a
    /// tree object, and the repository's index, work tree and refs are never touched. A
    /// patch that does not apply is recorded with git's reason and skipped; the next ones
    /// go on top of what did apply. The result is cached per base and series text.
    public func apply(_ series: [SeriesPatchInput], on base: BaseChoice) throws -> AppliedSeries {
        let git = try repository(forTree: base.tree)
        let directory = directory(forTree: base.tree)
        let threeWay = base.source == .head
        let key = try seriesKey(series, base: base, threeWay: threeWay, git: git)
        let cacheFile = directory + "/series/" + key
        if let cached = try loadApplied(cacheFile, base: base, count: series.count, git: git) { return cached }

        let work = directory + "/work-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try GitRepository.makeDirectory(work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let index = work + "/index"
        _ = try git.output(["read-tree", base.tree], indexFile: index)

        var current = base.tree
        var trees: [String] = []
        var notApplied: [Int: String] = [:]
        for (number, patch) in series.enumerated() {
            defer { trees.append(current) }
            guard !patch.files.isEmpty else { continue }
            if let problem = patch.paths.lazy.compactMap(TreePath.problem).first {
                notApplied[number] = "not applied: \(problem)"
                continue
            }
            guard patch.diff.utf8.count <= KernelTreeLimits.maxPatchBytes else {
                notApplied[number] = "not applied: the patch is larger than \(KernelTreeLimits.maxPatchBytes >> 20) MB"
                continue
            }
            let file = work + "/patch-\(number).diff"
            guard FileManager.default.createFile(atPath: file, contents: Data(patch.diff.utf8)) else {
                throw KernelTreeError(.cache, "cannot write \(file); check that XDG_CACHE_HOME is writable")
            }
            let result = try git.run(["apply", "--cached", "--whitespace=nowarn"] + (threeWay ? ["--3way"] : [])
                                     + ["--", file], indexFile: index)
            if result.timedOut { try git.check(result, ["apply"]) }
            if result.status == 0 {
                let written = try git.run(["write-tree"], indexFile: index)
                if written.status == 0 {
                    current = written.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
                    continue
                }
                notApplied[number] = "conflicts left by the 3-way merge: " + GitRepository.reason(written.stderr)
            } else {
                notApplied[number] = GitRepository.reason(result.stderr)
            }
            // A failed (or conflicted) apply may have left the index half-changed.
            _ = try git.output(["read-tree", current], indexFile: index)
        }
        let applied = AppliedSeries(base: base, trees: trees, notApplied: notApplied)
        try? saveApplied(applied, to: cacheFile)
        return applied
    }

    /// A name for the series on this base: git's hash of everything the result depends on.
    private func seriesKey(_ series: [SeriesPatchInput], base: BaseChoice, threeWay: Bool, git: GitRepository) throws -> String {
        var key = "reviewbot-applied-series 1\n\(base.commit)\n\(threeWay)\n"
        for patch in series {
            key += "\(patch.files.isEmpty ? 0 : 1) \(patch.diff.utf8.count)\n\(patch.diff)"
        }
        return try git.output(["hash-object", "--stdin"], stdin: Array(key.utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func loadApplied(_ path: String, base: BaseChoice, count: Int, git: GitRepository) throws -> AppliedSeries? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var trees: [String] = []
        var notApplied: [Int: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, ObjectID.isFull(String(parts[0])) else { return nil }
            if parts[1] == "failed" { notApplied[trees.count] = parts.count == 3 ? String(parts[2]) : "not applied" }
            trees.append(String(parts[0]))
        }
        guard trees.count == count else { return nil }
        // The trees must still be in the cache's object store.
        let check = try git.run(["cat-file", "--batch-check=%(objecttype)"],
                                stdin: Array(Set(trees).map { $0 + "\n" }.joined().utf8))
        guard check.status == 0, check.stdoutText.split(separator: "\n").allSatisfy({ $0 == "tree" }) else { return nil }
        return AppliedSeries(base: base, trees: trees, notApplied: notApplied)
    }

    private func saveApplied(_ applied: AppliedSeries, to path: String) throws {
        try GitRepository.makeDirectory((path as NSString).deletingLastPathComponent)
        var text = ""
        for (number, tree) in applied.trees.enumerated() {
            if let reason = applied.notApplied[number] {
                text += "\(tree) failed \(reason.replacingOccurrences(of: "\n", with: " "))\n"
            } else {
                text += "\(tree) applied\n"
            }
        }
        let partial = path + ".partial-\(getpid())"
        try text.write(toFile: partial, atomically: false, encoding: .utf8)
        guard rename(partial, path) == 0 else {
            throw KernelTreeError(.cache, "cannot write \(path)")
        }
    }
}
