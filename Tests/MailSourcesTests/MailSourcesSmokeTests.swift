import Testing
@testable import MailSources

@Test func moduleLinks() { #expect(Bool(true)) }
