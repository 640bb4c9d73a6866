import Testing
@testable import ReviewBotKit

@Test func moduleLinks() { #expect(Bool(true)) }
