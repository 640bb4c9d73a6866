import Foundation
import Testing
@testable import PromptLibrary

@Suite struct RenderingTests {
    /// The bundled library plus one template `t`; files are read at load, so the scratch
    /// directory may go away afterwards.
    func library(template: String) throws -> PromptLibrary {
        let overrides = try PromptDirectory()
        try overrides.write("templates/t.md", "---\nname: t\ndescription: test template\n---\n" + template)
        return try PromptLibrary.load(overrideDirectory: overrides.url)
    }

    @Test func substitutesVariablesOnceAndIgnoresExtras() throws {
        let library = try library(template: "A {{x}} and {{ y }}, {{x}} again.")
        let text = try library.render(template: "t", variables: ["x": "{{y}}", "y": "2", "unused": "z"])
        #expect(text == "A {{y}} and 2, {{y}} again.")
    }

    @Test func missingVariableNamesTemplateAndVariable() throws {
        let library = try library(template: "Hunks:\n{{hunks}}\n{{diffstat}}\n")
        #expect(throws: PromptLibraryError.missingVariable(template: "templates/t.md", variable: "diffstat")) {
            try library.render(template: "t", variables: ["hunks": "+x"])
        }
        #expect(PromptLibraryError.missingVariable(template: "templates/t.md", variable: "diffstat").description
            == "templates/t.md uses {{diffstat}} but no value was given for it")
    }

    @Test(arguments: [("line one\n{{bad name}}", 6), ("one\ntwo\n{{unclosed\n}}", 7), ("{{}}", 5)])
    func badPlaceholderNamesLine(template: String, line: Int) throws {
        let library = try library(template: template)
        #expect {
            try library.render(template: "t", variables: [:])
        } throws: { error in
            guard case let .badPlaceholder(file, errorLine, _) = error as? PromptLibraryError else { return false }
            return file == "templates/t.md" && errorLine == line
        }
    }

    @Test func onlyTemplatesRender() throws {
        let library = try PromptLibrary.load()
        #expect(throws: PromptLibraryError.notATemplate(name: "core")) {
            try library.render(template: "core", variables: [:])
        }
    }
}
