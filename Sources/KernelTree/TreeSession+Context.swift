import MboxParser

extension TreeSession {
    /// The context of one task, computed from the tree alone (no model call), the same bytes
    /// for the same input. Nil when the task's patch did not apply.
    ///
    /// Priority when the budget is short (what is cut is named in `omitted`):
    /// 1. the functions (or structs, initialisers) around the hunks after the patch,
    /// 2. the same before the patch,
    /// 3. the callers of every function whose body or signature the patch changes,
    /// 4. the definitions of the types, members, constants and macros the changed lines use,
    /// 5. the static helpers the changed lines call.
    public func context(for request: ContextRequest, options: ContextOptions) -> TreeContext? {
        guard request.patchIndex >= 0, request.patchIndex < applied.trees.count,
              applied.notApplied[request.patchIndex] == nil else { return nil }
        var assembly = ContextAssembly(after: view(.after(request.patchIndex)),
                                       before: view(.before(request.patchIndex)), request: request, options: options)
        return assembly.run()
    }
}

/// One task's context being put together.
struct ContextAssembly {
    let after: TreeView
    let before: TreeView
    let request: ContextRequest
    let options: ContextOptions

    /// A construct the patch changes, with the lines it changes on each side.
    struct Changed {
        var name: String
        var kind: CDefinition.Kind
        var file: String
        var oldFile: String
        var newFocus: [Int] = []
        var oldFocus: [Int] = []
    }

    var changed: [Changed] = []
    var shownSpans = Set<String>()

    init(after: TreeView, before: TreeView, request: ContextRequest, options: ContextOptions) {
        self.after = after
        self.before = before
        self.request = request
        self.options = options
    }

    mutating func run() -> TreeContext {
        findChangedConstructs()
        var groups: [[ContextSection]] = []
        groups.append(changed.compactMap { constructSection($0, view: after, side: "after the patch") })
        groups.append(changed.compactMap { constructSection($0, view: before, side: "before the patch") })
        let (callerSections, callers) = callerSections()
        groups.append(callerSections)
        let (definitionSections, helperSections, beyond) = definitionSections()
        groups.append(definitionSections)
        groups.append(helperSections)

        // In priority order; a section that does not fit is named (by its title) and the
        // smaller ones after it may still fit.
        var sections: [ContextSection] = []
        var omitted: [String] = []
        var used = 0
        for section in groups.joined() {
            if used + section.tokens <= options.budgetTokens {
                sections.append(section)
                used += section.tokens
            } else {
                omitted.append(section.title)
            }
        }
        // Past `maxContextDefinitions`: named only, after everything else.
        omitted += beyond
        return TreeContext(sections: sections, omitted: omitted, callers: callers)
    }

    private var isC: (String) -> Bool { { $0.hasSuffix(".c") || $0.hasSuffix(".h") } }

    /// The functions and other top-level constructs holding changed lines, in hunk order.
    private mutating func findChangedConstructs() {
        var order: [String] = []
        var byKey: [String: Changed] = [:]
        func note(_ definition: CDefinition, file: String, oldFile: String, new: Int?, old: Int?) {
            let key = "\(file)\u{0}\(definition.kind.rawValue)\u{0}\(definition.name)"
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = Changed(name: definition.name, kind: definition.kind, file: file, oldFile: oldFile)
            }
            if let new { byKey[key]?.newFocus.append(new) }
            if let old { byKey[key]?.oldFocus.append(old) }
        }
        for hunk in request.hunks where isC(hunk.file) {
            let newFile = try? after.file(hunk.file)
            let oldFile = try? before.file(hunk.oldFile)
            var lastNew: Int?
            for line in hunk.lines {
                switch line.kind {
                case .added:
                    if let number = line.newLine, let construct = newFile?.outline.enclosing(line: number) {
                        note(construct, file: hunk.file, oldFile: hunk.oldFile, new: number, old: nil)
                    }
                case .removed:
                    if let number = line.oldLine, let construct = oldFile?.outline.enclosing(line: number) {
                        note(construct, file: hunk.file, oldFile: hunk.oldFile, new: nil, old: number)
                    } else if let lastNew, let construct = newFile?.outline.enclosing(line: lastNew) {
                        note(construct, file: hunk.file, oldFile: hunk.oldFile, new: lastNew, old: nil)
                    }
                case .context:
                    lastNew = line.newLine
                case .noNewlineMarker:
                    break
                }
            }
        }
        changed = order.compactMap { byKey[$0] }
    }

    /// The construct as it is in `view`, whole (or cut around the changed lines).
    private mutating func constructSection(_ construct: Changed, view: TreeView, side: String) -> ContextSection? {
        let isAfter = view.tree == after.tree
        let path = isAfter ? construct.file : construct.oldFile
        guard let file = try? view.file(path),
              let definition = file.outline.definitions.first(where: { $0.name == construct.name && $0.kind == construct.kind })
        else { return nil }
        let focus = isAfter ? construct.newFocus : construct.oldFocus
        let span = definition.line...definition.endLine
        // Before and after identical (a construct only named by a removed line's position):
        // one copy is enough.
        if !isAfter, let newer = try? after.file(construct.file),
           let same = newer.outline.definitions.first(where: { $0.name == construct.name && $0.kind == construct.kind }),
           span.map(file.line) == (same.line...same.endLine).map(newer.line) {
            return nil
        }
        guard let text = view.excerpt(path, span, focus: focus) else { return nil }
        if isAfter { shownSpans.insert("\(path):\(span.lowerBound)") }
        let title = "\(definition.displayName) in \(path):\(span.lowerBound)-\(span.upperBound), \(side)"
        let kind: ContextSection.Kind = definition.kind == .function ? .function : .definition
        return ContextSection(kind: kind, title: title, text: text)
    }
}
