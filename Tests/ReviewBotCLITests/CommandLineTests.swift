import Foundation
import LoopbackServers
import Testing

/// The built `reviewbot`, run as a user runs it, with a clean environment: its own HOME
/// and XDG directories, no API key unless a test gives one.
enum CLI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let watchdog = repository
        .appendingPathComponent("Tests/MboxParserTests/Fixtures/linux-mailinglist-archives__linux-watchdog")
    static let exynos = watchdog.appendingPathComponent("thread-exynos850-wdt-v1.mbox").path

    /// Next to the test bundle, where `swift build` puts every product; `REVIEWBOT_CLI`
    /// names another build (to check that a test fails against an older one).
    static var binary: URL {
        if let other = ProcessInfo.processInfo.environment["REVIEWBOT_CLI"] { return URL(fileURLWithPath: other) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("reviewbot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/reviewbot")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let home = try scratch()
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ["HOME": home.path, "PATH": "/usr/bin:/bin", "COLUMNS": "80",
                           "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                           "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                           "XDG_CACHE_HOME": home.appendingPathComponent("cache").path]
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = home.appendingPathComponent("stdout"), err = home.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        // Never a terminal: the cost guard must refuse rather than wait for an answer.
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }

    static func file(_ text: String, name: String = "input") throws -> String {
        let url = try scratch().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

@Suite struct CommandLineTests {
    @Test(arguments: [
        ["plan"],
        ["no-such-command"],
        ["plan", CLI.exynos, "--task-lines", "0"],
        ["plan", CLI.exynos, "--patches", "3-1"],
        ["review", CLI.exynos, "--out", "/tmp/x", "--budget", "nan"],
        ["fetch", CLI.exynos, "-o", "-", "--timeout", "1e300"],
        ["scan", CLI.exynos, "--imap-days", "99999999999"],
        ["series", CLI.exynos, "--revision", "0"],
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    /// Review guides are configuration: a broken override is the user's to fix (exit 2),
    /// not a failed server (exit 3), and the message names the file and line.
    @Test func aMalformedGuideOrMissingPromptDirectoryExitsTwo() throws {
        let prompts = try CLI.scratch().appendingPathComponent("prompts")
        try FileManager.default.createDirectory(at: prompts, withIntermediateDirectories: true)
        try Data("---\nname: broken\ntriggers:\n  - context: spin_lock\n---\nBody.\n".utf8)
            .write(to: prompts.appendingPathComponent("broken.md"))
        let broken = try CLI.run(["prompts", "list", "--prompts", prompts.path])
        #expect(broken.status == 2, "\(broken.stderr)")
        #expect(broken.stderr.contains("broken.md:"), "\(broken.stderr)")
        let missing = try CLI.run(["plan", CLI.exynos, "--prompts", prompts.appendingPathComponent("nope").path])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
    }

    @Test func versionPrintsTheProgramVersion() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(result.stdout)")
    }

    @Test func theRevisionOptionPicksARevision() throws {
        for flag in ["--revision", "-v"] {
            let result = try CLI.run(["series", CLI.exynos, flag, "1"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("v1: 7 of 7 patches, complete\n"))
        }
        let missing = try CLI.run(["series", CLI.exynos, "--revision", "3"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no v3"))
    }

    @Test func noPatchesExitsOneInEveryCommand() throws {
        let reply = try CLI.file("""
            From: A Reviewer <r@example.org>
            Subject: Re: [PATCH] foo: bar
            Message-ID: <reply-1@example.org>
            In-Reply-To: <patch-1@example.org>

            Looks fine to me.
            """, name: "reply.eml")
        let out = try CLI.scratch().appendingPathComponent("out").path
        for arguments in [["series", reply], ["plan", reply], ["review", reply, "--out", out, "--dry-run"],
                          ["prompts", "match", reply]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 1, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("no patches"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func scanExitsOneWhenItCountedUnreadableMessages() throws {
        let tooManyHeaders = String(repeating: "X-H: 1\n", count: 10_005)
        let mbox = try CLI.file("From a Thu Jan  1 00:00:00 1970\nSubject: ok\n\nfine\n\n"
            + "From b Thu Jan  1 00:00:00 1970\nSubject: bad\n\(tooManyHeaders)\nbody\n", name: "bad.mbox")
        let result = try CLI.run(["scan", mbox, "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("\"errors\": 1"))
        #expect(try CLI.run(["scan", CLI.exynos]).status == 0)
    }

    @Test func helpExamplesAreNeverBrokenMidCommand() throws {
        let dump = try CLI.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var commands: [([String], String)] = []
        func collect(_ command: [String: Any], path: [String]) {
            let name = command["commandName"] as? String ?? ""
            let here = path.isEmpty ? [] : path + [name]
            commands.append((here, command["discussion"] as? String ?? ""))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                collect(sub, path: path.isEmpty ? [""] : here)
            }
        }
        collect(try #require(tool["command"] as? [String: Any]), path: [])
        #expect(commands.count >= 12)
        var examples = 0
        for (path, discussion) in commands {
            let arguments = path.filter { !$0.isEmpty } + ["--help"]
            let help = try CLI.run(arguments)
            #expect(help.status == 0, "\(arguments)")
            // ArgumentParser leaves the USAGE synopsis to the terminal; everything else is wrapped.
            for line in help.stdout.split(separator: "\n") where !line.hasPrefix("USAGE:") {
                #expect(line.count <= 80, "\(arguments): a help line over 80 columns: \(line)")
            }
            let helpLines = Set(help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            for line in discussion.split(separator: "\n").map(String.init) where Self.isExample(line) {
                examples += 1
                #expect(helpLines.contains(line), "\(arguments): the example was broken: \(line)")
            }
        }
        #expect(examples >= 15)
    }

    /// A command line in a help text: `reviewbot ...`, `Example: ...`, a pipe into
    /// reviewbot, or a line continued with a backslash.
    static func isExample(_ line: String) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        return text.hasPrefix("reviewbot ") || text.hasPrefix("Example:") || text.contains("| reviewbot ")
            || text.hasSuffix("\\") || text.contains("=... reviewbot ")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsComeFromTheCommandDefinitions(shell: String) throws {
        let result = try CLI.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        for word in ["reviewbot", "series", "review", "revision", "patches", "match"] {
            #expect(result.stdout.contains(word), "\(shell) completion lacks \(word)")
        }
    }

    @Test func configDumpMarksWhatIsInvalidAndExitsTwo() throws {
        let config = try CLI.file("[model]\nretries = 9223372036854775807\n", name: "config.toml")
        let result = try CLI.run(["config", "dump", "--config", config])
        #expect(result.status == 2)
        #expect(result.stdout.contains("# INVALID: model.retries = 9223372036854775807 is not allowed: 0 to 10"))
        let plan = try CLI.run(["plan", CLI.exynos, "--config", config])
        #expect(plan.status == 2)
        #expect(plan.stderr.contains("model.retries"))
    }

    @Test func severalSeriesAreListedAndNeverPickedSilently() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: CLI.exynos))
        data += try Data(contentsOf: CLI.watchdog.appendingPathComponent("thread-rzg2l-wdt-RESEND-v8.mbox"))
        let both = try CLI.scratch().appendingPathComponent("both.mbox")
        try data.write(to: both)
        let plan = try CLI.run(["plan", both.path])
        #expect(plan.status == 2)
        #expect(plan.stderr.contains("holds 2 series; pick one with --msgid ID or --match REGEX"))
        #expect(plan.stderr.contains("--msgid 20240410134044.2138310-1-claudiu.beznea.uj@bp.renesas.com"))
        let picked = try CLI.run(["plan", both.path, "--match", "rzg2l"])
        #expect(picked.status == 0, "\(picked.stderr)")
        #expect(picked.stdout.hasPrefix("watchdog: rzg2l_wdt: Add support for RZ/G3S (v8"))
        let all = try CLI.run(["plan", both.path, "--all"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("2 series; estimated cost in all: $"))
    }
}

/// Runs that talk to a model: the fake Messages API on loopback, reached by the child
/// process through ANTHROPIC_BASE_URL.
@Suite(.serialized) struct CommandLineReviewTests {
    static let key = "test-key-cli-1234"

    func fake() throws -> FakeMessagesAPI {
        var options = FakeMessagesAPI.Options()
        options.apiKey = Self.key
        return try FakeMessagesAPI(options: options)
    }

    func config(_ extra: String = "") throws -> String {
        try CLI.file("[drafts]\nfrom = \"Rev Iewer <rev@example.net>\"\n\(extra)", name: "config.toml")
    }

    @Test func aCostAboveTheThresholdIsRefusedOffATerminal() throws {
        let api = try fake()
        defer { api.stop() }
        let config = try config("[review]\nconfirm_above_usd = 0.000001\n")
        let out = try CLI.scratch().appendingPathComponent("out").path
        let environment = ["ANTHROPIC_API_KEY": Self.key, "ANTHROPIC_BASE_URL": api.baseURL]
        let refused = try CLI.run(["review", CLI.exynos, "--out", out, "--config", config], environment: environment)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--yes"))
        #expect(api.exchanges.isEmpty, "requests were sent before the user agreed")
        let agreed = try CLI.run(["review", CLI.exynos, "--out", out, "--config", config, "--yes"],
                                 environment: environment)
        #expect(agreed.status == 0, "\(agreed.stderr)")
        #expect(!api.exchanges.isEmpty)
    }

    @Test func aRefusedKeyExitsThreeWithOneLineNamingTheVariable() throws {
        let api = try fake()
        defer { api.stop() }
        let out = try CLI.scratch().appendingPathComponent("out").path
        // One request at a time: with more, the cache warm-up lets others go after 2 s, and
        // on a loaded machine the 401 can take longer than that to come back. What is
        // tested is that nothing is sent after the refusal, though the series has 7 patches.
        let result = try CLI.run(["review", CLI.exynos, "--out", out, "--config", try config("[model]\nconcurrency = 1\n")],
                                 environment: ["ANTHROPIC_API_KEY": "test-key-wrong", "ANTHROPIC_BASE_URL": api.baseURL])
        #expect(result.status == 3, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("ANTHROPIC_API_KEY"))
        #expect(api.exchanges.count == 1)
        #expect(!result.stdout.contains("edit the drafts"))
    }

    @Test func plainHTTPToARemoteGatewayIsRefused() throws {
        let result = try CLI.run(["review", CLI.exynos, "--out", try CLI.scratch().path],
                                 environment: ["ANTHROPIC_API_KEY": Self.key,
                                               "ANTHROPIC_BASE_URL": "http://gateway.example.com"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("travel in clear"))
    }
}
