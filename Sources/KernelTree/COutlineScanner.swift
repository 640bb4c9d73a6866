/// The definition scanner behind `COutline`. Two passes over the tokens: the first reads
/// directives (macros; which `#if` branches count), the second walks the code with a stack
/// of open braces.
///
/// Conditional code is read the way ctags reads it: the first branch of an `#if` counts for
/// braces and definitions, `#else`/`#elif` branches do not (except after `#if 0`), so two
/// alternative function headers cannot leave a brace open. Kernel style puts a function's
/// closing brace in column 0; a `}` there closes whatever is still open, so one unbalanced
/// macro cannot swallow the rest of a file.
struct COutlineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: [CToken]
    /// Token indices of code that counts (not directives, not skipped branches).
    private var sig: [Int32] = []
    private var definitions: [CDefinition] = []

    init(bytes: UnsafeBufferPointer<UInt8>, tokens: [CToken]) {
        self.bytes = bytes
        self.tokens = tokens
    }

    mutating func run() -> [CDefinition] {
        readDirectives()
        walkCode()
        return definitions
    }

    // MARK: - Token helpers

    func text(_ t: Int) -> String {
        let token = tokens[t]
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<token.end]), as: UTF8.self)
    }

    func tokenIs(_ t: Int, _ word: StaticString) -> Bool {
        let token = tokens[t]
        guard token.kind == .identifier, Int(token.length) == word.utf8CodeUnitCount else { return false }
        let start = Int(token.start)
        let w = word.utf8Start
        for k in 0..<Int(token.length) where bytes[start + k] != w[k] { return false }
        return true
    }

    func isColumnZero(_ t: Int) -> Bool {
        let start = Int(tokens[t].start)
        return start == 0 || bytes[start - 1] == UInt8(ascii: "\n")
    }

    // MARK: - Pass 1: directives

    private struct Conditional {
        var counting: Bool
        /// After `#if 0` the `#else` branch is the one that counts.
        var elseCounts: Bool
    }

    private mutating func readDirectives() {
        sig.reserveCapacity(tokens.count)
        var conditionals: [Conditional] = []
        var active = true
        var t = 0
        while t < tokens.count {
            let token = tokens[t]
            guard token.inDirective else {
                if active { sig.append(Int32(t)) }
                t += 1
                continue
            }
            // One directive: `#` and the tokens after it on its (continued) lines.
            var end = t + 1
            while end < tokens.count, tokens[end].inDirective, !tokens[end].isPunct(CPunct.directive) { end += 1 }
            if token.isPunct(CPunct.directive), t + 1 < end, tokens[t + 1].kind == .identifier {
                let word = t + 1
                if tokenIs(word, "define"), word + 1 < end, tokens[word + 1].kind == .identifier {
                    definitions.append(CDefinition(name: text(word + 1), kind: .macro, line: Int(token.line),
                                                   endLine: Int(tokens[end - 1].line)))
                } else if tokenIs(word, "if") || tokenIs(word, "ifdef") || tokenIs(word, "ifndef") {
                    let zero = tokenIs(word, "if") && word + 2 == end && tokens[word + 1].kind == .number
                        && tokens[word + 1].length == 1 && bytes[Int(tokens[word + 1].start)] == UInt8(ascii: "0")
                    conditionals.append(Conditional(counting: !zero, elseCounts: zero))
                } else if tokenIs(word, "else") || tokenIs(word, "elif"), !conditionals.isEmpty {
                    let last = conditionals.count - 1
                    conditionals[last].counting = conditionals[last].elseCounts
                    conditionals[last].elseCounts = false
                } else if tokenIs(word, "endif"), !conditionals.isEmpty {
                    conditionals.removeLast()
                }
                active = conditionals.allSatisfy(\.counting)
            }
            t = end
        }
    }

    // MARK: - Pass 2: code

    private enum FrameKind {
        case function(name: String, line: Int, isStatic: Bool)
        case initializer
        case block
        case aggregate(CDefinition.Kind, name: String?, line: Int)
    }

    private struct Frame {
        var kind: FrameKind
        /// The enclosing level's statement, resumed after the closing brace.
        var savedStatement: Int
        /// Enumerator segment start (enums only).
        var segment: Int

        var isOpaque: Bool {
            if case .aggregate = kind { return false }
            return true
        }
    }

    private struct PendingVariable {
        var name: String
        var line: Int
        var isStatic: Bool
    }

    private mutating func walkCode() {
        var frames: [Frame] = []
        // The top frame's state, kept out of the array so the hot loop copies nothing. An
        // opaque frame (function, initialiser, block) is always the top: it opens no frames.
        var inOpaque = false
        var opaqueDepth = 0
        var statement = 0          // sig index where the current statement starts
        var closed = -1            // sig index of a `}` that ended an aggregate/initialiser in it
        var parens = 0
        var lastBoundary = -1
        var pending: PendingVariable?

        func closeAll(_ this: inout COutlineScanner, at line: Int) {
            while let frame = frames.popLast() {
                this.finish(frame, endLine: line, closeAt: nil)
            }
            inOpaque = false
            opaqueDepth = 0
        }

        var k = 0
        while k < sig.count {
            let t = Int(sig[k])
            let token = tokens[t]
            if inOpaque {
                if token.isPunct(UInt8(ascii: "{")) {
                    if isColumnZero(t), case .function = frames[frames.count - 1].kind {
                        // A column-0 brace inside a function: the function above never
                        // closed. Close it and read this brace at file scope.
                        closeAll(&self, at: Int(tokens[Int(sig[max(k - 1, 0)])].line))
                        statement = lastBoundary + 1
                        closed = -1
                        parens = 0
                        continue
                    }
                    opaqueDepth += 1
                } else if token.isPunct(UInt8(ascii: "}")) {
                    if isColumnZero(t), frames.count > 1 || opaqueDepth > 0 {
                        closeAll(&self, at: Int(token.line))
                        statement = k + 1
                        closed = -1
                        parens = 0
                    } else if opaqueDepth > 0 {
                        opaqueDepth -= 1
                    } else {
                        let frame = frames.removeLast()
                        inOpaque = false
                        finish(frame, endLine: Int(token.line), closeAt: k)
                        statement = frame.savedStatement
                        if case .function = frame.kind {
                            statement = k + 1
                            closed = -1
                        } else {
                            closed = k
                        }
                        parens = 0
                    }
                }
                if token.isPunct(UInt8(ascii: ";")) || token.isPunct(UInt8(ascii: "{")) || token.isPunct(UInt8(ascii: "}")) {
                    lastBoundary = k
                }
                k += 1
                continue
            }

            // File scope or inside a struct, union or enum body.
            switch token.kind == .punctuation ? token.punct : 0 {
            case UInt8(ascii: "("), UInt8(ascii: "["):
                parens += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                parens = max(0, parens - 1)
            case UInt8(ascii: "{"):
                let kind = classifyBrace(statement, k, atFileScope: frames.isEmpty)
                if case .initializer = kind, frames.isEmpty, let name = variableName(statement, k) {
                    pending = PendingVariable(name: name, line: startLine(statement, k), isStatic: hasStatic(statement, k))
                }
                let frame = Frame(kind: kind, savedStatement: statement, segment: k + 1)
                inOpaque = frame.isOpaque
                opaqueDepth = 0
                frames.append(frame)
                statement = k + 1
                closed = -1
                parens = 0
                lastBoundary = k
            case UInt8(ascii: "}"):
                if let frame = frames.popLast() {
                    finish(frame, endLine: Int(token.line), closeAt: k)
                    statement = frame.savedStatement
                    closed = k
                } else {
                    statement = k + 1
                    closed = -1
                }
                parens = 0
                lastBoundary = k
            case UInt8(ascii: ";") where parens == 0:
                if frames.isEmpty {
                    fileScopeStatement(statement, k, closed: closed, pending: &pending)
                } else if case .aggregate(let kind, _, _) = frames[frames.count - 1].kind, kind != .enumeration {
                    members(statement, k, closed: closed, scope: scopeName(frames))
                }
                statement = k + 1
                closed = -1
                lastBoundary = k
            case UInt8(ascii: ","):
                if parens == 0, case .aggregate(.enumeration, _, _) = frames.last?.kind {
                    enumerator(frames[frames.count - 1].segment, k, scope: scopeName(frames))
                    frames[frames.count - 1].segment = k + 1
                }
            default:
                break
            }
            k += 1
        }
        let lastLine = tokens.last.map { Int($0.line) } ?? 1
        while let frame = frames.popLast() {
            finish(frame, endLine: lastLine, closeAt: nil)
        }
    }

    /// Records what a closed frame defined.
    private mutating func finish(_ frame: Frame, endLine: Int, closeAt: Int?) {
        switch frame.kind {
        case .function(let name, let line, let isStatic):
            definitions.append(CDefinition(name: name, kind: .function, line: line, endLine: endLine, isStatic: isStatic))
        case .aggregate(let kind, let name, let line):
            if kind == .enumeration, let closeAt {
                enumerator(frame.segment, closeAt, scope: name ?? "")
            }
            if let name {
                definitions.append(CDefinition(name: name, kind: kind, line: line, endLine: endLine))
            }
        case .initializer, .block:
            break
        }
    }

    /// The name members take as their scope: the innermost named struct, union or enum.
    private func scopeName(_ frames: [Frame]) -> String {
        for frame in frames.reversed() {
            if case .aggregate(_, let name?, _) = frame.kind { return name }
        }
        return ""
    }

    // MARK: - Statements

    /// What a `{` at file scope or in an aggregate opens.
    private func classifyBrace(_ a: Int, _ k: Int, atFileScope: Bool) -> FrameKind {
        guard a < k else { return .block }
        var depth = 0
        for j in a..<k {
            let token = tokens[Int(sig[j])]
            if token.isPunct(UInt8(ascii: "(")) || token.isPunct(UInt8(ascii: "[")) { depth += 1 }
            if token.isPunct(UInt8(ascii: ")")) || token.isPunct(UInt8(ascii: "]")) { depth -= 1 }
            if depth == 0, token.isPunct(UInt8(ascii: "=")) { return .initializer }
        }
        let previous = Int(sig[k - 1])
        for keyword in [(StaticString("struct"), CDefinition.Kind.structure), ("union", .union), ("enum", .enumeration)] {
            if tokenIs(previous, keyword.0) {
                return .aggregate(keyword.1, name: nil, line: startLine(a, k))
            }
            if k - 2 >= a, tokenIs(Int(sig[k - 2]), keyword.0), tokens[previous].kind == .identifier {
                return .aggregate(keyword.1, name: text(previous), line: startLine(a, k))
            }
        }
        guard atFileScope, tokens[previous].isPunct(UInt8(ascii: ")")) || tokens[previous].kind == .identifier,
              let (nameIndex, name) = functionName(a, k) else { return .block }
        return .function(name: name, line: startLine(a, nameIndex), isStatic: hasStatic(a, nameIndex))
    }

    /// The declarator name of a function header `[a, k)`: the identifier before the last
    /// parameter list at depth 0 that is not an attribute's.
    private func functionName(_ a: Int, _ k: Int) -> (Int, String)? {
        var depth = 0
        var found: Int?
        for j in a..<k {
            let token = tokens[Int(sig[j])]
            if token.isPunct(UInt8(ascii: "(")) {
                if depth == 0, j > a {
                    let before = Int(sig[j - 1])
                    if tokens[before].kind == .identifier {
                        let word = text(before)
                        if !CVocabulary.keywords.contains(word), !CVocabulary.attributeFunctions.contains(word) {
                            found = j - 1
                        }
                    }
                }
                depth += 1
            } else if token.isPunct(UInt8(ascii: ")")) {
                depth -= 1
            }
        }
        guard let found else { return nil }
        var name = text(Int(sig[found]))
        // SYSCALL_DEFINE3(open, ...) defines sys_open.
        if name.hasPrefix("SYSCALL_DEFINE") || name.hasPrefix("COMPAT_SYSCALL_DEFINE"),
           found + 2 < k, tokens[Int(sig[found + 2])].kind == .identifier {
            name = (name.hasPrefix("COMPAT") ? "compat_sys_" : "sys_") + text(Int(sig[found + 2]))
        }
        return (found, name)
    }

    /// The line a declaration starts on: walk back from its name over the type words.
    private func startLine(_ a: Int, _ nameIndex: Int) -> Int {
        var j = min(nameIndex, sig.count - 1)
        while j > a {
            let token = tokens[Int(sig[j - 1])]
            guard token.kind == .identifier || token.isPunct(UInt8(ascii: "*")) else { break }
            j -= 1
        }
        return Int(tokens[Int(sig[j])].line)
    }

    private func hasStatic(_ a: Int, _ k: Int) -> Bool {
        (a..<k).contains { tokenIs(Int(sig[$0]), "static") }
    }

    /// The name a declarator `[a, k)` declares: the function-pointer name in `(*name)`, or
    /// the last plain identifier before a parameter list, an array bound, a bitfield width
    /// or an initialiser. Attribute macros around it are skipped.
    private func declaratorName(_ a: Int, _ k: Int) -> String? {
        var last: Int?
        var j = a
        var afterTagKeyword = false
        while j < k {
            let t = Int(sig[j])
            let token = tokens[t]
            if token.kind == .identifier {
                let word = text(t)
                if CVocabulary.attributeFunctions.contains(word), j + 1 < k, tokens[Int(sig[j + 1])].isPunct(UInt8(ascii: "(")) {
                    j = skipGroup(j + 1, k)
                    continue
                }
                // `struct foo` names a type, not the thing declared.
                let isTag = afterTagKeyword
                afterTagKeyword = word == "struct" || word == "union" || word == "enum"
                if !isTag, !CVocabulary.keywords.contains(word), !CVocabulary.isTrailingAttribute(word) { last = t }
            } else if token.isPunct(UInt8(ascii: "(")) {
                // `(*name)` or `(* const name)`: a pointer to a function.
                var m = j + 1
                var sawStar = false
                while m < k, tokens[Int(sig[m])].isPunct(UInt8(ascii: "*")) || (sawStar && tokens[Int(sig[m])].kind == .identifier
                        && (CVocabulary.keywords.contains(text(Int(sig[m]))) || CVocabulary.isTrailingAttribute(text(Int(sig[m]))))) {
                    if tokens[Int(sig[m])].isPunct(UInt8(ascii: "*")) { sawStar = true }
                    m += 1
                }
                if sawStar, m < k, tokens[Int(sig[m])].kind == .identifier { return text(Int(sig[m])) }
                break
            } else if token.isPunct(UInt8(ascii: "[")) || token.isPunct(UInt8(ascii: ":")) || token.isPunct(UInt8(ascii: "="))
                        || token.isPunct(UInt8(ascii: "{")) {
                break
            }
            j += 1
        }
        return last.map(text)
    }

    /// The index after the group opening at `j` (a `(` or `[`), within `[.., k)`.
    private func skipGroup(_ j: Int, _ k: Int) -> Int {
        var depth = 0
        var m = j
        while m < k {
            let token = tokens[Int(sig[m])]
            if token.isPunct(UInt8(ascii: "(")) || token.isPunct(UInt8(ascii: "[")) { depth += 1 }
            if token.isPunct(UInt8(ascii: ")")) || token.isPunct(UInt8(ascii: "]")) {
                depth -= 1
                if depth == 0 { return m + 1 }
            }
            m += 1
        }
        return k
    }

    /// The variable a file-scope initialiser `[a, k)` (`... name = {`) defines.
    private func variableName(_ a: Int, _ k: Int) -> String? {
        var eq = a
        var depth = 0
        while eq < k {
            let token = tokens[Int(sig[eq])]
            if token.isPunct(UInt8(ascii: "(")) || token.isPunct(UInt8(ascii: "[")) { depth += 1 }
            if token.isPunct(UInt8(ascii: ")")) || token.isPunct(UInt8(ascii: "]")) { depth -= 1 }
            if depth == 0, token.isPunct(UInt8(ascii: "=")) { break }
            eq += 1
        }
        if let name = definingMacroName(a, eq) { return name }
        return declaratorName(a, eq)
    }

    /// `DEFINE_MUTEX(foo_lock)` and friends: the name they define.
    private func definingMacroName(_ a: Int, _ k: Int) -> String? {
        var j = a
        while j < k, tokenIs(Int(sig[j]), "static") { j += 1 }
        guard j + 2 < k, tokens[Int(sig[j])].kind == .identifier, tokens[Int(sig[j + 1])].isPunct(UInt8(ascii: "(")) else {
            return nil
        }
        let macro = text(Int(sig[j]))
        guard CVocabulary.isDefiningMacro(macro) else { return nil }
        let end = skipGroup(j + 1, k)
        var names: [Int] = []
        var depth = 0
        for m in (j + 1)..<end {
            let token = tokens[Int(sig[m])]
            if token.isPunct(UInt8(ascii: "(")) { depth += 1 }
            if token.isPunct(UInt8(ascii: ")")) { depth -= 1 }
            if depth == 1, token.kind == .identifier, m + 1 < end,
               tokens[Int(sig[m + 1])].isPunct(UInt8(ascii: ",")) || tokens[Int(sig[m + 1])].isPunct(UInt8(ascii: ")")) {
                names.append(Int(sig[m]))
            }
        }
        guard let name = CVocabulary.definingMacroTakesNameLast(macro) ? names.last : names.first else { return nil }
        return text(name)
    }

    /// A `;` at file scope: a typedef, a prototype, a variable, or the end of a definition
    /// whose braces closed earlier.
    private mutating func fileScopeStatement(_ a: Int, _ k: Int, closed: Int, pending: inout PendingVariable?) {
        defer { pending = nil }
        guard a < k else { return }
        let endLine = Int(tokens[Int(sig[k])].line)
        if let variable = pending {
            definitions.append(CDefinition(name: variable.name, kind: .variable, line: variable.line, endLine: endLine,
                                           isStatic: variable.isStatic))
            return
        }
        let first = Int(sig[a])
        if tokenIs(first, "typedef") {
            let from = closed >= a ? closed + 1 : a + 1
            guard let name = declaratorName(from, k) else { return }
            definitions.append(CDefinition(name: name, kind: .typedef, line: Int(tokens[first].line), endLine: endLine))
            // `typedef struct { ... } foo_t;`: the members belong to foo_t.
            if closed >= a {
                for index in definitions.indices.reversed() where definitions[index].line >= Int(tokens[first].line) {
                    if (definitions[index].kind == .member || definitions[index].kind == .enumerator),
                       definitions[index].scope.isEmpty {
                        definitions[index].scope = name
                    }
                }
            }
            return
        }
        if closed >= a {
            // `struct foo { ... } bar;` declares bar too.
            if let name = declaratorName(closed + 1, k) {
                definitions.append(CDefinition(name: name, kind: .variable, line: Int(tokens[first].line), endLine: endLine,
                                               isStatic: hasStatic(a, k)))
            }
            return
        }
        if let name = definingMacroName(a, k) {
            definitions.append(CDefinition(name: name, kind: .variable, line: Int(tokens[first].line), endLine: endLine,
                                           isStatic: tokenIs(first, "static")))
            return
        }
        if let eq = firstAssignment(a, k) {
            // `static int foo = 3;`, `static u32 mask = BIT(3);`
            if !tokenIs(first, "extern"), let name = variableName(a, eq + 1) {
                definitions.append(CDefinition(name: name, kind: .variable, line: Int(tokens[first].line),
                                               endLine: endLine, isStatic: hasStatic(a, eq)))
            }
            return
        }
        if tokenIs(first, "extern") && functionName(a, k) == nil { return }
        if let (nameIndex, name) = functionName(a, k), nameIndex > a {
            definitions.append(CDefinition(name: name, kind: .prototype, line: startLine(a, nameIndex), endLine: endLine,
                                           isStatic: hasStatic(a, nameIndex)))
            return
        }
        // A file-scope macro call (`EXPORT_SYMBOL(foo);`, `module_init(foo_init);`) has no
        // type before its name: not a declaration.
        guard tokens[first].kind == .identifier, k - a >= 2, !tokens[Int(sig[a + 1])].isPunct(UInt8(ascii: "(")),
              let name = declaratorName(a, k) else { return }
        definitions.append(CDefinition(name: name, kind: .variable, line: Int(tokens[first].line), endLine: endLine,
                                       isStatic: hasStatic(a, k)))
    }

    /// The sig index of the first `=` outside parentheses and brackets in `[a, k)`.
    private func firstAssignment(_ a: Int, _ k: Int) -> Int? {
        var depth = 0
        for j in a..<k {
            let token = tokens[Int(sig[j])]
            if token.isPunct(UInt8(ascii: "(")) || token.isPunct(UInt8(ascii: "[")) { depth += 1 }
            if token.isPunct(UInt8(ascii: ")")) || token.isPunct(UInt8(ascii: "]")) { depth -= 1 }
            if depth == 0, token.isPunct(UInt8(ascii: "=")) { return j }
        }
        return nil
    }

    /// A `;` inside a struct or union body: one member per declarator.
    private mutating func members(_ a: Int, _ k: Int, closed: Int, scope: String) {
        let from = closed >= a ? closed + 1 : a
        guard from < k else { return }
        if closed < a, let name = definingMacroName(a, k) {
            definitions.append(CDefinition(name: name, kind: .member, line: Int(tokens[Int(sig[a])].line),
                                           endLine: Int(tokens[Int(sig[k])].line), scope: scope))
            return
        }
        var segment = from
        var depth = 0
        var j = from
        while j <= k {
            let token = tokens[Int(sig[min(j, k)])]
            if j < k, token.isPunct(UInt8(ascii: "(")) || token.isPunct(UInt8(ascii: "[")) { depth += 1 }
            if j < k, token.isPunct(UInt8(ascii: ")")) || token.isPunct(UInt8(ascii: "]")) { depth -= 1 }
            if j == k || (depth == 0 && token.isPunct(UInt8(ascii: ","))) {
                if segment < j, let name = declaratorName(segment, j) {
                    definitions.append(CDefinition(name: name, kind: .member, line: Int(tokens[Int(sig[segment])].line),
                                                   endLine: Int(tokens[Int(sig[k])].line), scope: scope))
                }
                segment = j + 1
            }
            j += 1
        }
    }

    /// One segment of an enum body: its first identifier is the enumerator.
    private mutating func enumerator(_ a: Int, _ k: Int, scope: String) {
        guard a < k else { return }
        let t = Int(sig[a])
        guard tokens[t].kind == .identifier else { return }
        let name = text(t)
        guard !CVocabulary.keywords.contains(name) else { return }
        definitions.append(CDefinition(name: name, kind: .enumerator, line: Int(tokens[t].line),
                                       endLine: Int(tokens[Int(sig[k - 1])].line), scope: scope))
    }
}
