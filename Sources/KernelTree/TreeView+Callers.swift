/// A place that calls a function or takes its address.
public struct CallSite: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// `foo_remove(pdev)`
        case call
        /// `.remove = foo_remove`, `ops->cb = foo_cb`, `request_irq(irq, foo_isr, ...)`,
        /// `module_init(foo_init)`: the function is reached through a pointer.
        case reference
    }

    public var path: String
    public var line: Int
    public var kind: Kind
    /// Where it is: `foo_probe()`, `initialiser of foo_driver`, `macro FOO_CALL`, `file scope`.
    public var place: String
    /// The function the site is in, when it is in one (what depth 2 looks for next).
    public var function: String?
    /// The line, trimmed.
    public var text: String
}

extension TreeView {
    /// Where `name` is called or referenced, in path and line order. A static function is
    /// looked for only in the files that define it.
    func callSites(of name: String, limit: Int) -> (sites: [CallSite], cut: Bool) {
        let functions = definitions(named: name).filter { $0.definition.kind == .function }
        let candidates: [String]
        var cut = false
        if !functions.isEmpty, functions.allSatisfy({ $0.definition.isStatic && $0.path.hasSuffix(".c") }) {
            var seen = Set<String>()
            candidates = functions.map(\.path).filter { seen.insert($0).inserted }
        } else {
            (candidates, cut) = referenceFiles(named: name)
        }
        var sites: [CallSite] = []
        for path in candidates {
            guard let file = try? file(path) else { continue }
            sites += Self.sites(of: name, in: file)
            if sites.count > limit {
                cut = true
                break
            }
        }
        return (Array(sites.prefix(limit)), cut)
    }

    /// The call sites of `name` in one file.
    static func sites(of name: String, in file: SourceFile) -> [CallSite] {
        let tokens = file.tokens()
        let needle = Array(name.utf8)
        var sites: [CallSite] = []
        var seenLines = Set<Int>()
        var firstInFunction = Set<Int>()
        for (i, token) in tokens.enumerated() where file.token(token, is: needle) {
            let line = Int(token.line)
            let previous = i > 0 ? tokens[i - 1] : nil
            let next = i + 1 < tokens.count ? tokens[i + 1] : nil
            if let previous, previous.isPunct(UInt8(ascii: ".")) || previous.isPunct(CPunct.arrow) { continue }
            let enclosing = file.outline.enclosing(line: line)
            let function = file.outline.function(containing: line)
            let isCall = next?.isPunct(UInt8(ascii: "(")) ?? false
            var kind = CallSite.Kind.reference
            var place: String
            if token.inDirective {
                // Only a macro body counts (`#ifdef name` does not).
                guard let macro = enclosing, macro.kind == .macro, macro.name != name else { continue }
                kind = isCall ? .call : .reference
                place = "macro \(macro.name)"
            } else if let function {
                if function.name == name, firstInFunction.insert(function.line).inserted {
                    continue // the definition's own name
                }
                kind = isCall ? .call : .reference
                place = "\(function.name)()"
            } else {
                // File scope: a declaration, an initialiser, or a registering macro.
                if isCall { continue }
                if let variable = enclosing, variable.kind == .variable {
                    place = "initialiser of \(variable.name)"
                } else if let macro = Self.invokingMacro(tokens, before: i, in: file) {
                    if macro.hasPrefix("EXPORT_SYMBOL") || macro.hasPrefix("MODULE_") { continue }
                    place = "file scope, \(macro)()"
                } else {
                    continue
                }
            }
            guard seenLines.insert(line).inserted else { continue }
            let text = file.line(line).trimmingCharacters(in: .whitespaces)
            sites.append(CallSite(path: file.path, line: line, kind: kind, place: place,
                                  function: token.inDirective ? nil : function?.name, text: String(text.prefix(200))))
        }
        return sites
    }

    /// `module_init(foo_init)`: the macro whose argument list holds token `i`.
    private static func invokingMacro(_ tokens: [CToken], before i: Int, in file: SourceFile) -> String? {
        var depth = 0
        var j = i - 1
        while j >= 0, i - j < 64 {
            let token = tokens[j]
            if token.isPunct(UInt8(ascii: ")")) { depth += 1 }
            if token.isPunct(UInt8(ascii: "(")) {
                if depth == 0 {
                    return j > 0 && tokens[j - 1].kind == .identifier ? file.text(of: tokens[j - 1]) : nil
                }
                depth -= 1
            }
            if token.isPunct(UInt8(ascii: ";")) || token.isPunct(UInt8(ascii: "{")) || token.isPunct(UInt8(ascii: "}")) {
                return nil
            }
            j -= 1
        }
        return nil
    }
}
