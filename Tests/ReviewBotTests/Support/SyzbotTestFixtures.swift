import Foundation
import LoopbackServers

/// The syzbot fixtures of the FixEvidence tests (Tests/FixEvidenceTests/Fixtures/syzbot,
/// provenance in its SOURCES.md), served by the dashboard stand-in.
enum SyzbotTestFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("FixEvidenceTests/Fixtures/syzbot")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    static func bugs() throws -> [FakeSyzbot.Bug] {
        [FakeSyzbot.Bug(extid: "48240bab47e705c53126", json: try data("bug-48240bab47e705c53126.json"),
                        texts: ["/text?tag=CrashReport&x=10a38768580000": try data("kasan-uaf-nbd-recv_work.txt")])]
    }
}
