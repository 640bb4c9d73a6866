extension ContextAssembly {
    /// A member defined in more files than this (`flags`, `dev`, `lock`) cannot name its
    /// struct; in Linux 6.1 a driver's private member names are in one to a few files.
    static let maxMemberFiles = 8

    /// The callers of every changed function, level by level up to the configured depth.
    func callerSections() -> ([ContextSection], callers: [String]) {
        var sections: [ContextSection] = []
        var found: [String] = []
        var done = Set<String>()
        var level: [(name: String, via: String?)] = []
        for construct in changed where construct.kind == .function && done.insert(construct.name).inserted {
            level.append((construct.name, nil))
        }
        let depth = min(max(options.callerDepth, 0), KernelTreeLimits.maxCallerDepth)
        var current = 1
        while current <= depth, !level.isEmpty {
            var next: [(String, String?)] = []
            for (name, via) in level {
                let (sites, cut) = after.callSites(of: name, limit: KernelTreeLimits.maxContextCallSites)
                let count = sites.count == 1 ? "1 site" : "\(sites.count)\(cut ? "+" : "") sites"
                let chain = via.map { ", which calls \($0)()" } ?? ""
                let title = "callers of \(name)()\(chain) (\(count))"
                var text = ""
                for site in sites {
                    text += "\(site.path):\(site.line), in \(site.place), \(site.kind.rawValue):\n"
                    let range = site.kind == .call ? max(1, site.line - 1)...(site.line + 2) : site.line...site.line
                    text += after.excerpt(site.path, range, marked: [site.line]) ?? "\(site.text)\n"
                    found.append("\(site.path):\(site.line) in \(site.place)")
                    if site.kind == .call, let function = site.function, done.insert(function).inserted {
                        next.append((function, name))
                    }
                }
                if sites.isEmpty { text = "none found in the tree\n" }
                if cut { text += "[more sites not shown: ask find_callers for \(name)]\n" }
                sections.append(ContextSection(kind: .caller, title: title, text: text))
            }
            level = next
            current += 1
        }
        return (sections, found)
    }

    /// Definitions the changed lines use, and the static helpers they call.
    func definitionSections() -> ([ContextSection], helpers: [ContextSection], beyond: [String]) {
        let cHunks = request.hunks.filter { $0.file.hasSuffix(".c") || $0.file.hasSuffix(".h") }
        guard let near = cHunks.first?.file else { return ([], [], []) }
        let lines = cHunks.flatMap { $0.lines.filter { $0.kind == .added || $0.kind == .removed }.map(\.text) }
        let ids = ChangedIdentifiers(lines: lines)
        let changedNames = Set(changed.map(\.name))

        var items: [(order: Int, distance: Int, helper: Bool, located: Located, fromBefore: Bool)] = []
        var seenSpans = shownSpans
        let directory = near.split(separator: "/").dropLast().joined(separator: "/") + "/"
        let local: (String) -> Bool = { $0.hasPrefix(directory) && !$0.dropFirst(directory.count).contains("/") }
        func add(_ name: String, _ kinds: Set<CDefinition.Kind>, helper: Bool = false,
                 inFile scope: ((String) -> Bool)? = nil, accept: (Located) -> Bool = { _ in true }) {
            var fromBefore = false
            var candidates = after.definitions(named: name, kinds: kinds, near: near, inFile: scope)
            if candidates.isEmpty {
                candidates = before.definitions(named: name, kinds: kinds, near: near, inFile: scope)
                fromBefore = true
            }
            guard let best = candidates.first, accept(best) else { return }
            let key = "\(best.path):\(best.definition.line)"
            guard seenSpans.insert(key).inserted else { return }
            items.append((items.count, TreeView.distance(best.path, from: near), helper, best, fromBefore))
        }

        for tag in ids.tags { add(tag.name, [tag.kind]) }
        for access in ids.members {
            if let holder = declaredType(of: access.base) {
                add(holder.name, [holder.kind, .typedef])
            } else if let members = after.definitions(named: access.member, maxFiles: Self.maxMemberFiles) {
                // Only a member name few structs use can tell which struct it is.
                let scopes = Set(members.filter { $0.definition.kind == .member }.map(\.definition.scope)
                    .filter { !$0.isEmpty })
                if scopes.count == 1, let scope = scopes.first {
                    add(scope, [.structure, .union, .typedef])
                }
            }
        }
        for constant in ids.constants { add(constant, [.macro, .enumerator]) }
        for call in ids.calls where !changedNames.contains(call) {
            add(call, [.function, .macro], helper: true, inFile: local) { located in
                located.definition.kind == .macro || located.definition.isStatic
            }
        }
        for type in ids.typeNames { add(type, [.typedef]) }
        for other in ids.others where !changedNames.contains(other) {
            add(other, [.variable], inFile: { $0 == near })
        }

        var definitions: [ContextSection] = []
        var helpers: [ContextSection] = []
        let ordered = items.sorted { ($0.distance, $0.order) < ($1.distance, $1.order) }
        for item in ordered.prefix(KernelTreeLimits.maxContextDefinitions) {
            let view = item.fromBefore ? before : after
            guard let shown = view.shownSpan(of: item.located),
                  let text = view.excerpt(shown.path, shown.lines) else { continue }
            let isHelper = item.helper && item.located.definition.kind == .function
            let place = "\(shown.path):\(shown.lines.lowerBound)-\(shown.lines.upperBound)"
            let suffix = (isHelper ? ", static helper" : "") + (item.fromBefore ? ", before the patch" : "")
            let section = ContextSection(kind: isHelper ? .helper : .definition,
                                         title: "\(shown.title) in \(place)\(suffix)", text: text)
            if isHelper { helpers.append(section) } else { definitions.append(section) }
        }
        let beyond = ordered.dropFirst(KernelTreeLimits.maxContextDefinitions).map {
            "\($0.located.definition.displayName) in \($0.located.path):\($0.located.definition.line)"
        }
        return (definitions, helpers, beyond)
    }

    /// The struct or union a local name is declared as (`struct foo_priv *priv`), from the
    /// changed constructs' own lines (parameters and locals).
    func declaredType(of name: String) -> (kind: CDefinition.Kind, name: String)? {
        guard !name.isEmpty else { return nil }
        let needle = Array(name.utf8)
        for construct in changed {
            for (view, path) in [(after, construct.file), (before, construct.oldFile)] {
                guard let file = try? view.file(path),
                      let definition = file.outline.definitions.first(where: { $0.name == construct.name && $0.kind == construct.kind })
                else { continue }
                let tokens = file.tokens().filter { Int($0.line) >= definition.line && Int($0.line) <= definition.endLine }
                for (i, token) in tokens.enumerated() where file.token(token, is: needle) {
                    var j = i - 1
                    while j >= 0, tokens[j].isPunct(UInt8(ascii: "*")) || (tokens[j].kind == .identifier
                            && ["const", "__iomem", "__rcu", "volatile"].contains(file.text(of: tokens[j]))) { j -= 1 }
                    guard j >= 1, tokens[j].kind == .identifier else { continue }
                    let keyword = file.text(of: tokens[j - 1])
                    guard keyword == "struct" || keyword == "union" else { continue }
                    let next = i + 1 < tokens.count ? tokens[i + 1] : nil
                    guard let next, next.isPunct(UInt8(ascii: ",")) || next.isPunct(UInt8(ascii: ";"))
                            || next.isPunct(UInt8(ascii: "=")) || next.isPunct(UInt8(ascii: ")"))
                            || next.isPunct(UInt8(ascii: "[")) else { continue }
                    return (keyword == "struct" ? .structure : .union, file.text(of: tokens[j]))
                }
            }
        }
        return nil
    }
}
