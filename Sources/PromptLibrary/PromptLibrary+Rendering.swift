import Foundation

extension PromptLibrary {
    /// Renders the template `name` (a file under `templates/`), replacing each `{{variable}}`.
    /// Strict: a variable the template uses but `variables` lacks is an error; extra
    /// variables are fine. Values are inserted verbatim and never scanned again, so patch
    /// text containing `{{...}}` cannot inject anything.
    public func render(template name: String, variables: [String: String]) throws -> String {
        let template = try file(named: name)
        guard template.kind == .template else { throw PromptLibraryError.notATemplate(name: name) }
        var out = ""
        for segment in try template.templateSegments() {
            switch segment {
            case let .text(text):
                out += text
            case let .variable(variable):
                guard let value = variables[variable] else {
                    throw PromptLibraryError.missingVariable(template: template.path, variable: variable)
                }
                out += value
            }
        }
        return out
    }
}

extension PromptFile {
    enum TemplateSegment: Equatable {
        case text(String)
        case variable(String)
    }

    /// The variables the body uses, in order of first use.
    public func placeholders() throws -> [String] {
        var seen: [String] = []
        for case let .variable(name) in try templateSegments() where !seen.contains(name) {
            seen.append(name)
        }
        return seen
    }

    /// Splits the body into text and `{{name}}` placeholders; a `{{` without a valid name and
    /// a closing `}}` on the same line is an error naming the line.
    func templateSegments() throws -> [TemplateSegment] {
        var segments: [TemplateSegment] = []
        var rest = Substring(body)
        var line = bodyStartLine
        while let open = rest.range(of: "{{") {
            let before = rest[..<open.lowerBound]
            segments.append(.text(String(before)))
            line += before.filter { $0 == "\n" }.count
            let afterOpen = rest[open.upperBound...]
            let lineEnd = afterOpen.firstIndex(of: "\n") ?? afterOpen.endIndex
            guard let close = afterOpen[..<lineEnd].range(of: "}}") else {
                throw PromptLibraryError.badPlaceholder(template: path, line: line,
                                                        text: "{{" + afterOpen[..<lineEnd].prefix(30))
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                throw PromptLibraryError.badPlaceholder(template: path, line: line,
                                                        text: "{{" + afterOpen[..<close.upperBound])
            }
            segments.append(.variable(name))
            rest = afterOpen[close.upperBound...]
        }
        segments.append(.text(String(rest)))
        return segments
    }
}
