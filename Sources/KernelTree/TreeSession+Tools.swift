import Foundation

/// The answer to one context tool call: plain text, bounded, or an error with a one-line
/// reason. The text is material under review, never instructions.
public struct ToolAnswer: Sendable, Hashable {
    public var text: String
    public var isError: Bool

    static func error(_ reason: String) -> ToolAnswer { ToolAnswer(text: reason, isError: true) }

    /// `text`, cut at a line end to `maxToolResultBytes`, saying what was cut.
    static func bounded(_ text: String, hint: String) -> ToolAnswer {
        let limit = KernelTreeLimits.maxToolResultBytes
        guard text.utf8.count > limit else { return ToolAnswer(text: text, isError: false) }
        var cut = text.utf8.prefix(limit)
        if let newline = cut.lastIndex(of: UInt8(ascii: "\n")) { cut = cut[...newline] }
        let kept = String(decoding: cut, as: UTF8.self)
        let dropped = text.utf8.count - cut.count
        return ToolAnswer(text: kept + "[cut: \(dropped) more bytes not shown; \(hint)]\n", isError: false)
    }
}

extension TreeSession {
    /// The tree a tool reads: after the task's patch, or the base.
    func toolView(patchIndex: Int, base: Bool) -> TreeView {
        base ? view(.base) : view(.after(patchIndex))
    }

    /// `read_function`: the whole function, with its file and first line.
    public func readFunction(name: String, file: String?, patchIndex: Int, base: Bool) -> ToolAnswer {
        guard let name = Self.identifier(name) else { return .error("not a function name: \(Self.quoted(name))") }
        if let file, let problem = TreePath.problem(file) { return .error(problem) }
        let view = toolView(patchIndex: patchIndex, base: base)
        var found = view.definitions(named: name).filter { $0.definition.kind == .function }
        if let file { found = found.filter { $0.path == file } }
        // The series' own files first: that is where the function under review is.
        found.sort { (view.changed.contains($0.path) ? 0 : 1, $0.path, $0.definition.line)
            < (view.changed.contains($1.path) ? 0 : 1, $1.path, $1.definition.line) }
        guard let first = found.first else {
            return .error("no function \(name)\(file.map { " in \($0)" } ?? "") in the tree (\(view.label))")
        }
        let span = first.definition.line...first.definition.endLine
        guard let body = view.excerpt(first.path, span) else {
            return .error("cannot read \(first.path) (\(view.label))")
        }
        var text = "\(name)() in \(first.path):\(span.lowerBound)-\(span.upperBound) (\(view.label))\n" + body
        if found.count > 1 {
            text += "also defined at: " + found.dropFirst().prefix(KernelTreeLimits.maxDefinitionsShown)
                .map { "\($0.path):\($0.definition.line)" }.joined(separator: ", ")
                + (found.count - 1 > KernelTreeLimits.maxDefinitionsShown ? " and \(found.count - 1 - KernelTreeLimits.maxDefinitionsShown) more" : "")
                + " (ask with \"file\")\n"
        }
        return .bounded(text, hint: "ask read_file for \(first.path) with start and end")
    }

    /// `find_definition`: `struct foo`, `FOO_FLAG`, `foo_t`, `foo_ops`, a function's
    /// prototype.
    public func findDefinition(name raw: String, patchIndex: Int) -> ToolAnswer {
        var words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var kinds: Set<CDefinition.Kind> = [.macro, .typedef, .enumerator, .variable, .prototype, .function,
                                            .structure, .union, .enumeration]
        if words.count == 2, let tag = ["struct": CDefinition.Kind.structure, "union": .union, "enum": .enumeration][words[0]] {
            kinds = [tag]
            words.removeFirst()
        }
        guard words.count == 1, let name = Self.identifier(words[0]) else {
            return .error("not a name: \(Self.quoted(raw)) (give e.g. \"struct foo\", \"FOO_FLAG\" or \"foo_ops\")")
        }
        let view = toolView(patchIndex: patchIndex, base: false)
        var found = view.definitions(named: name, kinds: kinds, near: nil)
        if found.isEmpty, kinds.count > 1 {
            // A member: show the struct that holds it.
            found = view.definitions(named: name, kinds: [.member], near: nil)
        }
        guard !found.isEmpty else { return .error("no definition of \(raw) in the tree (\(view.label))") }
        // Declarations before function bodies: a prototype says what a caller sees.
        found.sort { ($0.definition.kind == .function ? 1 : 0, TreeView.distance($0.path, from: nil), $0.path, $0.definition.line)
            < ($1.definition.kind == .function ? 1 : 0, TreeView.distance($1.path, from: nil), $1.path, $1.definition.line) }
        var text = ""
        for located in found.prefix(KernelTreeLimits.maxDefinitionsShown) {
            guard let shown = view.shownSpan(of: located) else { continue }
            var lines = shown.lines
            if located.definition.kind == .function, let file = try? view.file(located.path) {
                // The head of a function: up to its opening brace.
                var end = lines.lowerBound
                while end < min(lines.upperBound, lines.lowerBound + 15), !file.line(end).contains("{") { end += 1 }
                lines = lines.lowerBound...end
            }
            // `struct foo_priv`, `macro FOO_FLAG`, `prototype foo_remove()`.
            let what = located.definition.kind.tagKeyword != nil || shown.title.contains("(holds ")
                ? shown.title : "\(located.definition.kind.label) \(shown.title)"
            text += "\(what) at \(shown.path):\(lines.lowerBound) (\(view.label))\n"
            text += view.excerpt(shown.path, lines) ?? ""
        }
        if found.count > KernelTreeLimits.maxDefinitionsShown {
            text += "also defined at: " + found.dropFirst(KernelTreeLimits.maxDefinitionsShown).prefix(8)
                .map { "\($0.path):\($0.definition.line)" }.joined(separator: ", ") + "\n"
        }
        return .bounded(text, hint: "ask read_file for the file and lines shown")
    }

    /// `find_callers`: every call site and function-pointer reference.
    public func findCallers(name raw: String, patchIndex: Int) -> ToolAnswer {
        guard let name = Self.identifier(raw) else { return .error("not a function name: \(Self.quoted(raw))") }
        let view = toolView(patchIndex: patchIndex, base: false)
        let (sites, cut) = view.callSites(of: name, limit: KernelTreeLimits.maxCallSites)
        guard !sites.isEmpty else {
            if view.definitions(named: name).isEmpty && view.referenceFiles(named: name).paths.isEmpty {
                return .error("no symbol \(name) in the tree (\(view.label))")
            }
            return ToolAnswer(text: "no call sites of \(name) found (\(view.label))\n", isError: false)
        }
        var text = "\(sites.count)\(cut ? "+" : "") call sites of \(name) (\(view.label)):\n"
        for site in sites {
            text += "\(site.path):\(site.line): in \(site.place), \(site.kind.rawValue): \(site.text)\n"
        }
        if cut { text += "[cut at \(KernelTreeLimits.maxCallSites) sites; narrow with grep and a path]\n" }
        return .bounded(text, hint: "narrow with grep and a path")
    }

    /// `grep`: `git grep -E` over the tree after the patch.
    public func grep(pattern: String, path: String?, patchIndex: Int) -> ToolAnswer {
        guard !pattern.isEmpty else { return .error("empty pattern") }
        guard pattern.utf8.count <= KernelTreeLimits.maxGrepPatternBytes else {
            return .error("pattern longer than \(KernelTreeLimits.maxGrepPatternBytes) bytes")
        }
        guard !pattern.contains("\n"), !pattern.contains("\0") else { return .error("pattern with a newline or NUL") }
        if let path, let problem = TreePath.problem(path) { return .error(problem) }
        let view = toolView(patchIndex: patchIndex, base: false)
        let result: ChildOutput
        do {
            result = try git.run(["grep", "-n", "-I", "-E", "--no-color", "-e", pattern, view.tree, "--"] + (path.map { [$0] } ?? []),
                                 limit: KernelTreeLimits.maxToolResultBytes * 4, timeout: KernelTreeLimits.grepTimeoutSeconds)
        } catch {
            return .error("grep could not run: \(error)")
        }
        if !result.truncated && !result.timedOut {
            if result.status == 1 { return ToolAnswer(text: "no matches (\(view.label))\n", isError: false) }
            if result.status != 0 {
                return .error("bad pattern or path: " + GitRepository.reason(result.stderr))
            }
        }
        let prefix = view.tree + ":"
        var lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: true).map { line -> Substring in
            line.hasPrefix(prefix) ? line.dropFirst(prefix.count) : line
        }
        // The last line of cut output may be partial.
        if result.truncated || result.timedOut, !lines.isEmpty { lines.removeLast() }
        var text = lines.prefix(KernelTreeLimits.maxGrepMatches).joined(separator: "\n")
        if !text.isEmpty { text += "\n" }
        if lines.count > KernelTreeLimits.maxGrepMatches || result.truncated {
            text += "[cut at \(min(lines.count, KernelTreeLimits.maxGrepMatches)) matches; narrow the pattern or give a path]\n"
        }
        if result.timedOut {
            text += "[stopped after \(Int(KernelTreeLimits.grepTimeoutSeconds)) s; give a path to search less of the tree]\n"
        }
        if lines.isEmpty && !result.timedOut { return ToolAnswer(text: "no matches (\(view.label))\n", isError: false) }
        return .bounded(text, hint: "narrow the pattern or give a path")
    }

    /// `read_file`: lines `start...end`, numbered.
    public func readFile(file path: String, start: Int?, end: Int?, patchIndex: Int, base: Bool) -> ToolAnswer {
        if let problem = TreePath.problem(path) { return .error(problem) }
        let view = toolView(patchIndex: patchIndex, base: base)
        let file: SourceFile?
        do {
            file = try view.file(path)
        } catch {
            return .error("cannot read \(path): \(error)")
        }
        guard let file else { return .error("no file \(path) in the tree (\(view.label))") }
        if file.bytes.contains(0) { return .error("\(path) is a binary file") }
        let first = max(1, start ?? 1)
        guard first <= max(file.lineCount, 1) else {
            return .error("\(path) has \(file.lineCount) lines; start \(first) is past its end")
        }
        let requested = end ?? (first + KernelTreeLimits.maxReadFileLines - 1)
        let last = min(file.lineCount, max(first, requested), first + KernelTreeLimits.maxReadFileLines - 1)
        var text = "\(path) lines \(first)-\(last) of \(file.lineCount) (\(view.label))\n" + file.numberedLines(first...last)
        if last < min(requested, file.lineCount) {
            text += "[cut at \(KernelTreeLimits.maxReadFileLines) lines; ask again with start=\(last + 1)]\n"
        }
        return .bounded(text, hint: "ask again with a later start")
    }

    /// Whether `identifier` (a function, struct, field or macro; `foo()`, `struct foo` and
    /// `->foo` forms are accepted) exists in the tree after patch `patchIndex`.
    public func exists(_ identifier: String, patchIndex: Int) -> Bool {
        var name = identifier.trimmingCharacters(in: .whitespaces)
        for prefix in ["struct ", "union ", "enum ", "->", "."] where name.hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        if name.hasSuffix("()") { name = String(name.dropLast(2)) }
        guard let name = Self.identifier(name) else { return false }
        let view = view(.after(patchIndex))
        if !view.definitions(named: name).isEmpty { return true }
        // Mentioned but not defined here (made by a macro, or a builtin): confirm in a file.
        for path in view.referenceFiles(named: name).paths.prefix(20) {
            if let file = try? view.file(path), file.mentions(name) { return true }
        }
        return false
    }

    /// `name` when it is a C identifier within the length limit.
    static func identifier(_ name: String) -> String? {
        let trimmed = name.hasSuffix("()") ? String(name.dropLast(2)) : name
        guard !trimmed.isEmpty, trimmed.utf8.count <= KernelTreeLimits.maxNameBytes,
              let first = trimmed.utf8.first, CByte.isIdentifierStart(first),
              trimmed.utf8.allSatisfy(CByte.isIdentifierBody) else { return nil }
        return trimmed
    }

    /// Untrusted text for a one-line error: printable, short, quoted.
    static func quoted(_ text: String) -> String {
        let printable = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(60))
        return "\"\(printable)\""
    }
}
