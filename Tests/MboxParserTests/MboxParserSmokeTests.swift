import Testing
@testable import MboxParser

@Test func moduleLinks() { #expect(Bool(true)) }
