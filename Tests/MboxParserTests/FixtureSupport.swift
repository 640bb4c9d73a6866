import Foundation
@testable import MboxParser

/// Fixtures and golden files, found from this source file (tests never read /work/shared).
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = testsDirectory.appendingPathComponent("Fixtures")
    static let golden = root.appendingPathComponent("golden")
    /// REVIEWBOT_RECORD=1 rewrites golden files instead of comparing with them.
    static let recording = ProcessInfo.processInfo.environment["REVIEWBOT_RECORD"] == "1"

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    /// Every mail fixture (relative path), notes and expected-output side files excluded.
    static let mailFiles: [String] = {
        let skip = ["md", "tsv", "txt", "verify"]
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: root.appendingPathComponent(item).path, isDirectory: &isDirectory)
            if isDirectory.boolValue || skip.contains((item as NSString).pathExtension) { continue }
            if item.hasPrefix("fuzz-regressions/") || item.hasPrefix("golden/") { continue }
            files.append(item)
        }
        return files.sorted()
    }()

    /// Every item read from a fixture (or any path).
    static func read(_ path: String, options: Mailbox.Options = .init()) throws -> [Result<MailMessage, MboxParserError>] {
        Array(try Mailbox(path: path, options: options))
    }

    static func messages(_ relative: String) throws -> [MailMessage] {
        try read(path(relative)).map { try $0.get() }
    }

    static func message(_ relative: String) throws -> MailMessage {
        let all = try messages(relative)
        guard all.count == 1, let only = all.first else { throw FixtureError("\(relative): expected one message, got \(all.count)") }
        return only
    }

    /// A fresh temporary directory removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mboxparser-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension MailMessage {
    var body: [UInt8] { Array(raw[bodyOffset...]) }
}
