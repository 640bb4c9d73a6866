import Foundation

/// A request text with `{{variables}}`, parsed once. Strict: rendering without a value for
/// a variable the template uses is an error; extra values are fine. Values are inserted
/// verbatim and never scanned again, so patch text containing `{{...}}` injects nothing.
public struct PromptTemplate: Sendable, Hashable {
    enum Segment: Sendable, Hashable {
        case text(String)
        case variable(String)
    }

    /// The template's path, for error messages.
    public let name: String
    let segments: [Segment]

    /// Parses `text`; a `{{` without a valid name and a closing `}}` on the same line is an
    /// error naming the line (`firstLine` is the file line `text` starts at).
    public init(name: String, text: String, firstLine: Int = 1) throws {
        self.name = name
        var segments: [Segment] = []
        var rest = Substring(text)
        var line = firstLine
        while let open = rest.range(of: "{{") {
            let before = rest[..<open.lowerBound]
            segments.append(.text(String(before)))
            line += before.filter { $0 == "\n" }.count
            let afterOpen = rest[open.upperBound...]
            let lineEnd = afterOpen.firstIndex(of: "\n") ?? afterOpen.endIndex
            guard let close = afterOpen[..<lineEnd].range(of: "}}") else {
                throw PromptLibraryError.badPlaceholder(template: name, line: line,
                                                        text: "{{" + afterOpen[..<lineEnd].prefix(30))
            }
            let variable = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard variable.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                throw PromptLibraryError.badPlaceholder(template: name, line: line,
                                                        text: "{{" + afterOpen[..<close.upperBound])
            }
            segments.append(.variable(variable))
            rest = afterOpen[close.upperBound...]
        }
        segments.append(.text(String(rest)))
        self.segments = segments
    }

    /// A template file of the library.
    public init(_ file: PromptFile) throws {
        guard file.kind == .template else { throw PromptLibraryError.notATemplate(name: file.name) }
        try self.init(name: file.path, text: file.body, firstLine: file.bodyStartLine)
    }

    /// The variables the template uses, in order of first use.
    public var placeholders: [String] {
        var seen: [String] = []
        for case let .variable(name) in segments where !seen.contains(name) { seen.append(name) }
        return seen
    }

    public func render(_ variables: [String: String]) throws -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case let .text(text):
                out += text
            case let .variable(variable):
                guard let value = variables[variable] else {
                    throw PromptLibraryError.missingVariable(template: name, variable: variable)
                }
                out += value
            }
        }
        return out
    }
}

extension PromptLibrary {
    /// The values the fixed guides (`prefixGuides`) may use, each from one configuration
    /// setting, so a guide never states a number the configuration contradicts:
    /// `max_findings` is `[review] max_findings_per_patch`.
    public static func guideVariables(maxFindings: Int) -> [String: String] {
        ["max_findings": String(maxFindings)]
    }

    /// The body of the guide `name` with its `{{variables}}` filled, as strictly as a
    /// template: a variable the guide uses without a value is an error.
    public func renderedGuide(named name: String, variables: [String: String]) throws -> String {
        let file = try file(named: name)
        return try PromptTemplate(name: file.path, text: file.body, firstLine: file.bodyStartLine).render(variables)
    }

    /// The template file `name` (under `templates/`), parsed.
    public func template(named name: String) throws -> PromptTemplate {
        try PromptTemplate(file(named: name))
    }

    /// Renders the template `name` with `variables` (see `PromptTemplate.render`).
    public func render(template name: String, variables: [String: String]) throws -> String {
        try template(named: name).render(variables)
    }
}

extension PromptFile {
    /// The variables the body uses, in order of first use.
    public func placeholders() throws -> [String] {
        try PromptTemplate(name: path, text: body, firstLine: bodyStartLine).placeholders
    }
}
