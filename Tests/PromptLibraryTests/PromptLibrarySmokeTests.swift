import Testing
@testable import PromptLibrary

@Test func moduleLinks() { #expect(Bool(true)) }
