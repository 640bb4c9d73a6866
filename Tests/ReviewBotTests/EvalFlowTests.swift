import Foundation
import LoopbackServers
import PromptLibrary
import Synchronization
import Testing
@testable import ReviewBotKit
@testable import ReviewEngine

/// `reviewbot eval` end to end: a real git repository of C code where three commits each
/// bring a bug and three later commits fix them, a benchmark of those three rows, and a
/// scripted model that finds two of the bugs.
@Suite(.serialized) struct EvalFlowTests {
    /// One bug: the file it is in, the line the commit adds that carries it, what the
    /// benchmark says about it, and what the model says (or nil: the model misses it and
    /// comments on `decoy` instead).
    struct Bug {
        var subsystem: String
        var file: String
        var before: String
        var buggy: String
        var fixed: String
        var anchor: String
        var problem: String
        var comment: String
        var found: Bool
    }

    static let bugs: [Bug] = [
        Bug(subsystem: "net", file: "drivers/net/foo.c",
            before: "int foo_setup(int len)\n{\n\treturn 0;\n}\n",
            buggy: "int foo_setup(int len)\n{\n\tchar *buf = kmalloc(len, GFP_KERNEL);\n\n\tif (!buf)\n\t\treturn -ENOMEM;\n"
                + "\tif (len > FOO_MAX)\n\t\treturn -EINVAL;\n\tkfree(buf);\n\treturn 0;\n}\n",
            fixed: "int foo_setup(int len)\n{\n\tchar *buf = kmalloc(len, GFP_KERNEL);\n\n\tif (!buf)\n\t\treturn -ENOMEM;\n"
                + "\tif (len > FOO_MAX) {\n\t\tkfree(buf);\n\t\treturn -EINVAL;\n\t}\n\tkfree(buf);\n\treturn 0;\n}\n",
            anchor: "\tif (len > FOO_MAX)",
            problem: "foo_setup() leaks buf when len is larger than FOO_MAX.",
            comment: "Does this leak buf? The early return for len > FOO_MAX skips the kfree() below.",
            found: true),
        Bug(subsystem: "net", file: "drivers/net/bar.c",
            before: "void bar_clear(int *v, int n)\n{\n}\n",
            buggy: "void bar_clear(int *v, int n)\n{\n\tint i;\n\n\tfor (i = 0; i <= n; i++)\n\t\tv[i] = 0;\n}\n",
            fixed: "void bar_clear(int *v, int n)\n{\n\tint i;\n\n\tfor (i = 0; i < n; i++)\n\t\tv[i] = 0;\n}\n",
            anchor: "\tfor (i = 0; i <= n; i++)",
            problem: "bar_clear() writes one element past the end of v (off by one).",
            comment: "Could this loop be written more simply? The index i is only used for the store.",
            found: false),
        Bug(subsystem: "fs", file: "fs/baz/baz.c",
            before: "struct baz *baz_new(void)\n{\n\treturn NULL;\n}\n",
            buggy: "struct baz *baz_new(void)\n{\n\tstruct baz *b = kzalloc(sizeof(*b), GFP_KERNEL);\n\n"
                + "\tb->count = 1;\n\treturn b;\n}\n",
            fixed: "struct baz *baz_new(void)\n{\n\tstruct baz *b = kzalloc(sizeof(*b), GFP_KERNEL);\n\n"
                + "\tif (!b)\n\t\treturn NULL;\n\tb->count = 1;\n\treturn b;\n}\n",
            anchor: "\tb->count = 1;",
            problem: "baz_new() dereferences the result of kzalloc() without checking it for NULL.",
            comment: "What happens when kzalloc() fails here? b is dereferenced without a NULL check.",
            found: true),
    ]

    /// A git repository: the files as they were, one commit per bug, one per fix. Returns
    /// the repository and the ids of the three bug commits.
    static func makeRepository(in directory: URL) throws -> (URL, [String]) {
        let repo = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try git(repo, ["init", "-q", "-b", "master"])
        func write(_ path: String, _ text: String) throws {
            let url = repo.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for bug in bugs { try write(bug.file, bug.before) }
        try git(repo, ["add", "-A"])
        try git(repo, ["commit", "-q", "-m", "Initial code"])
        var introduced: [String] = []
        for bug in bugs {
            try write(bug.file, bug.buggy)
            try git(repo, ["commit", "-q", "-a", "-m", "\(bug.subsystem): change \((bug.file as NSString).lastPathComponent)"])
            introduced.append(try git(repo, ["rev-parse", "HEAD"]))
        }
        for bug in bugs {
            try write(bug.file, bug.fixed)
            try git(repo, ["commit", "-q", "-a", "-m", "\(bug.subsystem): fix \((bug.file as NSString).lastPathComponent)"])
        }
        return (repo, introduced)
    }

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
        guard process.terminationStatus == 0 else { throw ReviewBotError("git \(arguments) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The scripted model. Reviews: a finding on the line that carries each bug (a true
    /// comment for the two it finds, an unrelated one for the third). Judge: detected when
    /// the finding shown names the problem's function and is a true comment; `judgeFlip`
    /// turns the first row's detection into a miss on its second judging (a second run).
    final class Model: Sendable {
        let judged = Mutex<[String: Int]>([:])
        let flipSecondJudgement: Bool

        init(flipSecondJudgement: Bool = false) { self.flipSecondJudgement = flipSecondJudgement }

        func reply(_ call: FakeMessagesAPI.Call) -> FakeMessagesAPI.Reply {
            switch call.tool {
            case "report_findings":
                var findings: [[String: Any]] = []
                for bug in EvalFlowTests.bugs where call.userText.contains("+" + bug.anchor) {
                    findings.append(["file": bug.file, "anchor": bug.anchor,
                                     "category": bug.found ? "resource-leak" : "style",
                                     "severity": bug.found ? "high" : "low", "comment": bug.comment])
                }
                return .tool(input: try! JSONSerialization.data(withJSONObject: ["findings": findings], options: [.sortedKeys]))
            case "verify_finding":
                return .tool(json: #"{"verdict":"confirmed","reason":"checked"}"#)
            case "judge_detection":
                guard let bug = EvalFlowTests.bugs.first(where: { call.userText.contains($0.problem) }) else {
                    return .tool(json: #"{"verdict":"missed","finding":-1,"reason":"unknown problem"}"#)
                }
                let count = judged.withLock { seen -> Int in
                    seen[bug.problem, default: 0] += 1
                    return seen[bug.problem]!
                }
                let flip = flipSecondJudgement && count > 1 && bug.file == EvalFlowTests.bugs[0].file
                if bug.found, !flip, call.userText.contains(bug.comment) {
                    return .tool(json: #"{"verdict":"detected","finding":0,"reason":"the same defect"}"#)
                }
                return .tool(json: #"{"verdict":"missed","finding":-1,"reason":"no finding describes it"}"#)
            default:
                return .tool(json: "{}")
            }
        }
    }

    /// A home with its own state database, the repository, the benchmark and a fake API.
    final class Bench {
        let home: URL
        let repo: URL
        let commits: [String]
        let benchmarkFile: URL
        var config = Configuration()
        let environment: [String: String]

        init() throws {
            home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-eval-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            (repo, commits) = try EvalFlowTests.makeRepository(in: home)
            let rows = zip(commits, EvalFlowTests.bugs).map { commit, bug -> [String: String] in
                ["Commit": String(commit.prefix(12)), "Fixed-by": "0123456789ab", "subsystem": bug.subsystem,
                 "problem_description": bug.problem, "extra": "ignored"]
            }
            benchmarkFile = home.appendingPathComponent("bench.json")
            try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]).write(to: benchmarkFile)
            environment = ["HOME": home.path, "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path]
            config.model.concurrency = 1
        }

        deinit { try? FileManager.default.removeItem(at: home) }

        func store() throws -> StateStore { try StateStore(url: XDGDirectories(environment: environment).stateDatabase) }

        func job(runs: Int = 1, fake: FakeMessagesAPI) throws -> EvalJob {
            var config = config
            config.model.baseURL = fake.baseURL
            return EvalJob(benchmark: try EvalBenchmark.read(path: benchmarkFile.path), configuration: config,
                           library: try PromptLibrary.load(),
                           source: EvalTreeSource.withTree(path: repo.path, configuration: config, environment: environment),
                           runs: runs)
        }

        func run(runs: Int = 1, fake: FakeMessagesAPI) async throws -> EvalOutcome {
            var config = config
            config.model.baseURL = fake.baseURL
            let transport = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": "sk-ant-fake-key"]))
            return try await job(runs: runs, fake: fake).run(transport: transport, store: try store())
        }
    }

    @Test func recallIsTwoOfThreeWithSubsystemRowsTokensAndCost() async throws {
        let bench = try Bench()
        let model = Model()
        let fake = try FakeMessagesAPI { model.reply($0) }
        defer { fake.stop() }
        let outcome = try await bench.run(fake: fake)
        #expect(outcome.undone.isEmpty && outcome.failure == nil)
        let overall = outcome.summary.overall
        #expect(overall.perRun.map(\.rows) == [3])
        #expect(overall.perRun.map(\.detected) == [2])
        #expect(overall.recall?.mean == 2.0 / 3.0)
        // Three findings, two matched: one matches no known problem.
        #expect(overall.perRun.first?.findings == 3)
        #expect(overall.unmatchedShare?.mean == 1.0 / 3.0)
        #expect((overall.tokensPerPatch?.mean ?? 0) > 0)
        #expect((overall.dollarsPerPatch?.mean ?? 0) > 0)
        let subsystems = Dictionary(uniqueKeysWithValues: outcome.summary.subsystems.map { ($0.name, $0) })
        #expect(subsystems["net"]?.perRun.map(\.rows) == [2])
        #expect(subsystems["net"]?.recall?.mean == 0.5)
        #expect(subsystems["fs"]?.recall?.mean == 1.0)
        #expect((subsystems["fs"]?.tokensPerPatch?.mean ?? 0) > 0)
        #expect((subsystems["fs"]?.dollarsPerPatch?.mean ?? 0) > 0)

        // Every review was of the commit against its parent: the diff the model saw is
        // the commit's own, and the judge saw the benchmark's text fenced.
        let reviews = fake.exchanges.compactMap(\.call).filter { $0.tool == "report_findings" }
        #expect(reviews.count == 3)
        // Reviewed with the tree at the parent, as review --tree --base does: code context
        // in the task and the context tools offered.
        #expect(reviews.allSatisfy { $0.userText.contains("Code from the tree") && $0.tools.contains("read_function") })
        let judges = fake.exchanges.compactMap(\.call).filter { $0.tool == "judge_detection" }
        #expect(judges.count == 3)
        #expect(judges.allSatisfy { $0.userText.contains("known problem") })

        let out = bench.home.appendingPathComponent("out")
        try outcome.write(to: out)
        let markdown = try String(contentsOf: out.appendingPathComponent("eval.md"), encoding: .utf8)
        #expect(markdown.contains("| recall (detected) | 2/3 = 66.7% |"))
        #expect(markdown.contains("| net | 2 | 50.0% |"))
        #expect(markdown.contains("upper bound on false positives"))
        #expect(markdown.contains("53.6%"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("eval.json")))
            as? [String: Any])
        #expect((json["results"] as? [Any])?.count == 3)
        let svg = try String(contentsOf: out.appendingPathComponent("eval-recall.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        #expect(svg.contains(">net (2)<") && svg.contains(">fs (1)<"))
    }

    /// The real transport until the first judgement is answered; then the API refuses the
    /// key (401), as when a key is revoked mid-run: the eval must stop there.
    final class RevokedAfterFirstJudgement: MessagesTransport {
        let inner: any MessagesTransport
        let revoked = Mutex(false)

        init(_ inner: any MessagesTransport) { self.inner = inner }

        func send(body: Data, timeout: Duration) async throws -> HTTPAnswer {
            if revoked.withLock({ $0 }) {
                return HTTPAnswer(status: 401, headers: ["content-type": "application/json"], body: Data(
                    #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#.utf8))
            }
            let answer = try await inner.send(body: body, timeout: timeout)
            if String(decoding: body, as: UTF8.self).contains(#""name":"judge_detection""#),
               String(decoding: body, as: UTF8.self).contains(#""tool_choice""#) {
                revoked.withLock { $0 = true }
            }
            return answer
        }
    }

    @Test func aStoppedEvalResumesWithoutRepeatingFinishedRows() async throws {
        let bench = try Bench()
        let model = Model()
        let fake = try FakeMessagesAPI { model.reply($0) }
        defer { fake.stop() }
        var config = bench.config
        config.model.baseURL = fake.baseURL
        let real = try #require(try config.messagesTransport(environment: ["ANTHROPIC_API_KEY": "sk-ant-fake-key"]))
        let stopped = try await bench.job(fake: fake).run(transport: RevokedAfterFirstJudgement(real), store: try bench.store())
        #expect(stopped.failure != nil)
        #expect(stopped.results.map(\.row) == [0])
        #expect(stopped.undone.map(\.row) == [1, 2])
        #expect(stopped.isIncomplete)
        let callsBefore = fake.exchanges.count

        let resumed = try await bench.run(fake: fake)
        #expect(resumed.failure == nil && resumed.undone.isEmpty)
        #expect(resumed.reused == 1)
        #expect(resumed.summary.overall.perRun.map(\.detected) == [2])
        // Row 1 was not reviewed or judged again: only rows 2 and 3 reached the model.
        let calls = fake.exchanges[callsBefore...].compactMap(\.call)
        #expect(calls.filter { $0.tool == "judge_detection" }.count == 2)
        #expect(!calls.contains { $0.userText.contains("+" + Self.bugs[0].anchor) })
        #expect(resumed.apiCalls == calls.count)

        // Once every row is finished, running again sends nothing.
        let again = try await bench.run(fake: fake)
        #expect(again.reused == 3 && again.apiCalls == 0)
        #expect(fake.exchanges.count == callsBefore + calls.count)
    }

    @Test func twoRunsAskTheModelAgainAndGiveASpread() async throws {
        let bench = try Bench()
        let model = Model(flipSecondJudgement: true)
        let fake = try FakeMessagesAPI { model.reply($0) }
        defer { fake.stop() }
        let outcome = try await bench.run(runs: 2, fake: fake)
        let overall = outcome.summary.overall
        #expect(overall.perRun.map(\.detected) == [2, 1])
        let recall = try #require(overall.recall)
        #expect(recall.runs == 2)
        #expect(abs(recall.mean - 0.5) < 1e-9)
        #expect(recall.min == 1.0 / 3.0 && recall.max == 2.0 / 3.0)
        #expect(recall.standardDeviation > 0.2)
        // The second run reviewed again instead of reading the first run's answers.
        let reviews = fake.exchanges.compactMap(\.call).filter { $0.tool == "report_findings" }
        #expect(reviews.count == 6)
        #expect(EvalOutcome.spread(recall, percent: true).contains("± "))
    }

    @Test func missingCommitsAreListedAndNotCounted() async throws {
        let bench = try Bench()
        let rows: [[String: String]] = [
            ["Commit": String(bench.commits[0].prefix(12)), "Fixed-by": "", "subsystem": "net",
             "problem_description": Self.bugs[0].problem],
            ["Commit": "deadbeefdeadbeef", "Fixed-by": "", "subsystem": "net", "problem_description": "gone"],
        ]
        try JSONSerialization.data(withJSONObject: rows).write(to: bench.benchmarkFile)
        let model = Model()
        let fake = try FakeMessagesAPI { model.reply($0) }
        defer { fake.stop() }
        let outcome = try await bench.run(fake: fake)
        #expect(outcome.summary.overall.perRun.map(\.rows) == [1])
        #expect(outcome.leftOutRows.map(\.status) == [.missingCommit])
        #expect(outcome.markdown.contains("deadbeefdead"))
        // The tree was only read: its work tree and index are as the test left them.
        #expect(try EvalFlowTests.git(bench.repo, ["status", "--porcelain"]).isEmpty)
    }

    @Test func theDryRunEstimatesEveryRowWithTheJudge() async throws {
        let bench = try Bench()
        let fake = try FakeMessagesAPI()
        defer { fake.stop() }
        let estimate = try await bench.job(fake: fake).estimate(store: try bench.store())
        #expect(estimate.rows.count == 3)
        #expect(estimate.rows.allSatisfy { $0.leftOut == nil && $0.tasks >= 1 && $0.judge.total > 0 })
        #expect((estimate.cost ?? 0) > 0)
        #expect(estimate.listing.contains("3 of 3 rows to review"))
        #expect(fake.exchanges.isEmpty)
    }
}
