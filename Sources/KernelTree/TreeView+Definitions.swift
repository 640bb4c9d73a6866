/// A definition with the file it is in.
struct Located: Sendable, Hashable {
    var path: String
    var definition: CDefinition
}

extension TreeView {
    /// The definitions of `name` of the given kinds, nearest to `near` first: the same file,
    /// the same directory, a header under `include/`, then the rest (architecture-specific
    /// copies last unless `near` is under `arch/`), then by path.
    func definitions(named name: String, kinds: Set<CDefinition.Kind>, near: String?,
                     inFile accept: ((String) -> Bool)? = nil) -> [Located] {
        let found = (definitions(named: name, inFile: accept, maxFiles: nil) ?? [])
            .filter { kinds.contains($0.definition.kind) }
            .map { Located(path: $0.path, definition: $0.definition) }
        return found.sorted { a, b in
            let ra = Self.distance(a.path, from: near)
            let rb = Self.distance(b.path, from: near)
            if ra != rb { return ra < rb }
            if a.path != b.path { return a.path < b.path }
            return a.definition.line < b.definition.line
        }
    }

    static func distance(_ path: String, from near: String?) -> Int {
        guard let near else { return path.hasPrefix("arch/") ? 4 : (path.hasPrefix("include/") ? 1 : 2) }
        if path == near { return 0 }
        let directory = near.split(separator: "/").dropLast().joined(separator: "/")
        let own = path.split(separator: "/").dropLast().joined(separator: "/")
        if own == directory { return 1 }
        if path.hasPrefix("include/") { return 2 }
        if !directory.isEmpty, path.hasPrefix(directory.split(separator: "/").prefix(2).joined(separator: "/") + "/") { return 3 }
        if path.hasPrefix("arch/") && !near.hasPrefix("arch/") { return 5 }
        return 4
    }

    /// The span to show for a definition: a member shows its struct, an enumerator its
    /// enum, anything else itself.
    func shownSpan(of located: Located) -> (title: String, path: String, lines: ClosedRange<Int>)? {
        let definition = located.definition
        if definition.kind == .member || definition.kind == .enumerator, !definition.scope.isEmpty,
           let file = try? file(located.path),
           let holder = file.outline.definitions.first(where: {
               ($0.kind == .structure || $0.kind == .union || $0.kind == .enumeration || $0.kind == .typedef)
                   && $0.name == definition.scope && $0.contains(line: definition.line)
           }) {
            return ("\(holder.displayName) (holds \(definition.name))", located.path, holder.line...holder.endLine)
        }
        return (definition.displayName, located.path, definition.line...max(definition.line, definition.endLine))
    }

    /// Lines of `path`, numbered; a span longer than `maxFunctionLines` keeps its head and
    /// the windows around `focus` lines, and says what it cut.
    func excerpt(_ path: String, _ lines: ClosedRange<Int>, focus: [Int] = [], marked: Set<Int> = []) -> String? {
        guard let file = try? file(path), file.lineCount > 0 else { return nil }
        let lower = max(1, lines.lowerBound)
        let upper = min(file.lineCount, lines.upperBound)
        guard lower <= upper else { return nil }
        var keep = Set<Int>()
        if upper - lower + 1 <= KernelTreeLimits.maxFunctionLines {
            keep = Set(lower...upper)
        } else {
            keep.formUnion(lower...min(upper, lower + KernelTreeLimits.functionHeadLines - 1))
            for line in focus where line >= lower && line <= upper {
                let window = KernelTreeLimits.functionWindowLines
                keep.formUnion(max(lower, line - window)...min(upper, line + window))
            }
            keep.insert(upper)
        }
        var text = ""
        var skipped = 0
        for number in lower...upper {
            if keep.contains(number) {
                if skipped > 0 {
                    text += "        [... \(skipped) lines not shown ...]\n"
                    skipped = 0
                }
                text += SourceFile.numbered(number, file.line(number), marker: marked.contains(number) ? ">" : " ")
            } else {
                skipped += 1
            }
        }
        return text
    }
}
