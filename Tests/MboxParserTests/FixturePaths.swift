import Foundation
@testable import MboxParser

/// Where the fixtures and b4 goldens live, found from this file (tests never read /work/shared).
enum FixturePaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let b4Goldens = testsDirectory.appendingPathComponent("Golden/b4")

    static func fixture(_ relative: String) -> URL { fixtures.appendingPathComponent(relative) }

    /// Reads a fixture with the real mail reader and patch parser.
    static func messages(_ relative: String) throws -> [SeriesMessage] {
        try SeriesMessage.read(path: fixture(relative).path).messages
    }
}
