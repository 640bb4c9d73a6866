import Foundation
import Testing
@testable import MboxParser

/// Inputs that once crashed or hung the fuzzer (scripts/fuzz-mbox), kept so they never
/// come back. Each must be read to the end without a crash, every message fully decoded.
@Suite struct FuzzRegressionTests {
    static let directory = Fixtures.root.appendingPathComponent("fuzz-regressions")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test(arguments: inputs)
    func regressionInputIsReadToTheEnd(name: String) throws {
        let path = Self.directory.appendingPathComponent(name).path
        var count = 0
        for item in try Mailbox(path: path) {
            count += 1
            guard case .success(let message) = item else { continue }
            _ = (message.headers, message.subject, message.from, message.to, message.cc, message.date)
            _ = (message.messageID, message.references, message.parts, message.warnings)
            #expect(message.bodyText.utf8.count >= 0)
        }
        #expect(count >= 1)
    }
}
