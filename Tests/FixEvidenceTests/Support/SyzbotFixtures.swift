import Foundation
import LoopbackServers

/// The syzbot fixtures (see Fixtures/syzbot/SOURCES.md), found from this source file.
enum SyzbotFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/syzbot")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }
    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    static let nbdExtid = "48240bab47e705c53126"
    static let lockdepExtid = "e227429f6fa77945d7e4"
    static let warningExtid = "99d15fcdb0132a1e1a82"

    /// The three fixture bugs, each serving its report under the JSON's crash-report-link.
    static func bugs() throws -> [FakeSyzbot.Bug] {
        [
            FakeSyzbot.Bug(extid: nbdExtid, id: "5d2d7ab3a1cf3fbd1f1f0e3a6d5b2f0c8e1b9a47",
                           json: try data("bug-\(nbdExtid).json"),
                           texts: ["/text?tag=CrashReport&x=10a38768580000": try data("kasan-uaf-nbd-recv_work.txt")]),
            FakeSyzbot.Bug(extid: lockdepExtid, json: try data("bug-\(lockdepExtid).json"),
                           texts: ["/text?tag=CrashReport&x=14ce4831980000": try data("lockdep-ipmr-smc.txt")]),
            FakeSyzbot.Bug(extid: warningExtid, json: try data("bug-\(warningExtid).json"),
                           texts: ["/text?tag=CrashReport&x=13c5770c180000": try data("warning-mpls-gso.txt")]),
        ]
    }
}
