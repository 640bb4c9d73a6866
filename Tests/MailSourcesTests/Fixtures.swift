import Foundation
import LoopbackServers

/// The shared real-mail fixtures (Tests/MboxParserTests/Fixtures).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MboxParserTests/Fixtures")

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    static let watchdog = "linux-mailinglist-archives__linux-watchdog/"
    static let exynosV1 = watchdog + "thread-exynos850-wdt-v1.mbox"
    static let exynosV2 = watchdog + "thread-exynos850-wdt-v2.mbox"
    static let fromLine = watchdog + "thread-imx-sc-wdt-From-line-in-body-reviewed.mbox"

    /// FakeLore holding the exynos v1 and v2 threads and the `>From` thread on linux-watchdog.
    static func lore() throws -> FakeLore {
        FakeLore(threads: try [exynosV1, exynosV2, fromLine].map {
            FakeLore.Thread(list: "linux-watchdog", mbox: try data($0))
        })
    }

    /// Each message of an mboxrd fixture, un-escaped: what an IMAP server would hold.
    static func messages(ofMboxrd mbox: Data) -> [Data] {
        FakeLore.split(mbox).map { chunk in
            var lines = String(decoding: chunk, as: UTF8.self).components(separatedBy: "\n")
            lines.removeFirst()  // the From mboxrd@z line
            lines.removeLast(2)  // the blank line mboxrd adds, and the empty piece after the final \n
            let text = lines.map { line -> String in
                let arrows = line.prefix { $0 == ">" }
                return !arrows.isEmpty && line.dropFirst(arrows.count).hasPrefix("From ") ? String(line.dropFirst()) : line
            }.joined(separator: "\n") + "\n"
            return Data(text.utf8)
        }
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
