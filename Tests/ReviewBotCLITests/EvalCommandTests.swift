import Foundation
import LoopbackServers
import Synchronization
import Testing

/// `reviewbot eval` as a user runs it: killed with SIGKILL in the middle, it continues
/// where it stopped when run again, without repeating the row it had finished.
@Suite struct EvalCommandTests {
    static let anchors = ["\tif (len > FOO_MAX)", "\tb->count = 1;"]
    static let files = ["drivers/net/foo.c", "fs/baz/baz.c"]
    static let problems = ["foo_setup() leaks buf when len is larger than FOO_MAX.",
                           "baz_new() dereferences the result of kzalloc() without checking it for NULL."]
    static let comments = ["Does this leak buf? The early return for len > FOO_MAX skips the kfree() below.",
                           "What happens when kzalloc() fails here? b is dereferenced without a NULL check."]

    @discardableResult
    static func git(_ repo: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", repo.path, "-c", "user.name=Test", "-c", "user.email=test@example.org",
                             "-c", "commit.gpgsign=false"] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "git \(arguments)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Two commits that each bring a bug, then their fixes.
    static func repository(in home: URL) throws -> (URL, [String]) {
        let repo = home.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try git(repo, ["init", "-q", "-b", "master"])
        func write(_ path: String, _ text: String) throws {
            let url = repo.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write(files[0], "int foo_setup(int len)\n{\n\treturn 0;\n}\n")
        try write(files[1], "struct baz *baz_new(void)\n{\n\treturn NULL;\n}\n")
        try git(repo, ["add", "-A"])
        try git(repo, ["commit", "-q", "-m", "Initial code"])
        try write(files[0], "int foo_setup(int len)\n{\n\tchar *buf = kmalloc(len, GFP_KERNEL);\n\n\tif (!buf)\n"
            + "\t\treturn -ENOMEM;\n\tif (len > FOO_MAX)\n\t\treturn -EINVAL;\n\tkfree(buf);\n\treturn 0;\n}\n")
        try git(repo, ["commit", "-q", "-a", "-m", "net: foo: check the length"])
        let first = try git(repo, ["rev-parse", "HEAD"])
        try write(files[1], "struct baz *baz_new(void)\n{\n\tstruct baz *b = kzalloc(sizeof(*b), GFP_KERNEL);\n\n"
            + "\tb->count = 1;\n\treturn b;\n}\n")
        try git(repo, ["commit", "-q", "-a", "-m", "fs: baz: allocate"])
        let second = try git(repo, ["rev-parse", "HEAD"])
        try write(files[0], "int foo_setup(int len)\n{\n\treturn len > FOO_MAX ? -EINVAL : 0;\n}\n")
        try git(repo, ["commit", "-q", "-a", "-m", "net: foo: fix the leak"])
        try write(files[1], "struct baz *baz_new(void)\n{\n\treturn kzalloc(sizeof(struct baz), GFP_KERNEL);\n}\n")
        try git(repo, ["commit", "-q", "-a", "-m", "fs: baz: fix the NULL dereference"])
        return (repo, [first, second])
    }

    @Test func killedMidRunItResumesWithoutRepeatingTheFinishedRow() async throws {
        let home = try CLI.scratch()
        defer { try? FileManager.default.removeItem(at: home) }
        let (repo, commits) = try Self.repository(in: home)
        let rows = zip(commits, zip(["net", "fs"], Self.problems)).map { commit, rest in
            ["Commit": commit, "Fixed-by": "0123456789ab", "subsystem": rest.0, "problem_description": rest.1]
        }
        let bench = home.appendingPathComponent("bench.jsonl")
        try Data(rows.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]),
                                   as: UTF8.self) }.joined(separator: "\n").utf8).write(to: bench)

        // While `holding`, the second row's review request is answered only after a long
        // wait, and `reached` says it arrived: the first row is recorded by then.
        let holding = Mutex(true)
        let reached = Mutex(false)
        let fake = try FakeMessagesAPI { call in
            switch call.tool {
            case "report_findings":
                var findings: [[String: Any]] = []
                for (index, anchor) in Self.anchors.enumerated() where call.userText.contains("+" + anchor) {
                    findings.append(["file": Self.files[index], "anchor": anchor,
                                     "category": "resource-leak", "severity": "high", "comment": Self.comments[index]])
                }
                let reply = FakeMessagesAPI.Reply.tool(
                    input: try! JSONSerialization.data(withJSONObject: ["findings": findings], options: [.sortedKeys]))
                if call.userText.contains("+" + Self.anchors[1]), holding.withLock({ $0 }) {
                    reached.withLock { $0 = true }
                    // Held on this connection's own thread until the test has killed the
                    // eval (two minutes at most), however slowly a loaded machine runs it.
                    let until = Date().addingTimeInterval(120)
                    while holding.withLock({ $0 }), Date() < until { usleep(20_000) }
                }
                return reply
            case "verify_finding":
                return .tool(json: #"{"verdict":"confirmed","reason":"checked"}"#)
            case "judge_detection":
                return .tool(json: #"{"verdict":"detected","finding":0,"reason":"the same defect"}"#)
            default:
                return .tool(json: "{}")
            }
        }
        defer { fake.stop() }
        let environment = ["HOME": home.path, "PATH": "/usr/bin:/bin",
                           "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                           "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
                           "ANTHROPIC_API_KEY": "sk-ant-fake-key", "ANTHROPIC_BASE_URL": fake.baseURL]
        let arguments = ["eval", bench.path, "--tree", repo.path, "--out", home.appendingPathComponent("out").path]

        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !reached.withLock({ $0 }), process.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(reached.withLock { $0 }, "the second row's review reached the model")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        holding.withLock { $0 = false }
        #expect(fake.exchanges.compactMap(\.call).filter { $0.tool == "judge_detection" }.count == 1)

        let resumed = try CLI.run(arguments, environment: environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("recall 2/2"))
        #expect(resumed.stdout.contains("1 row run finished before, not repeated"))
        // Over both invocations: the first row was reviewed and judged once, the second
        // row judged once (by the second invocation).
        let calls = fake.exchanges.compactMap(\.call)
        #expect(calls.filter { $0.tool == "judge_detection" }.count == 2)
        #expect(calls.filter { $0.tool == "report_findings" && $0.userText.contains("+" + Self.anchors[0]) }.count == 1)
        // The tree was read, never changed.
        #expect(try Self.git(repo, ["status", "--porcelain"]).isEmpty)
    }
}
