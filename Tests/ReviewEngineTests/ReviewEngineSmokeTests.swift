import Testing
@testable import ReviewEngine

@Test func moduleLinks() { #expect(Bool(true)) }
