import Foundation
import Testing
@testable import ReviewBotKit

@Suite struct ConfigurationTests {
    @Test func fileOverridesDefaultsAndUnknownKeysWarn() throws {
        var config = Configuration()
        let warnings = try config.apply(toml: """
            prompts_dir = "/srv/prompts"
            colour = "auto"
            [lore]
            url = "http://127.0.0.1:8080"
            [model]
            name = "claude-haiku-4-5"
            concurrency = 2
            temprature = 0.2
            [review]
            budget_usd = 1.5
            [prices."my-model"]
            input = 1
            output = 2.5
            """, file: "c.toml")
        #expect(config.lore.url == "http://127.0.0.1:8080")
        #expect(config.model.name == "claude-haiku-4-5")
        #expect(config.model.concurrency == 2)
        #expect(config.review.budgetUSD == 1.5)
        #expect(config.promptsDirectory == "/srv/prompts")
        #expect(config.prices["my-model"] == .init(input: 1, cacheWrite: 0, cacheRead: 0, output: 2.5))
        #expect(warnings.sorted() == ["c.toml: unknown key 'colour' ignored",
                                      "c.toml: unknown key 'model.temprature' ignored"])
    }

    @Test func badTOMLNamesFileAndLine() {
        var config = Configuration()
        #expect(throws: ReviewBotError.self) { _ = try config.apply(toml: "[lore]\nurl = \n", file: "c.toml") }
        do {
            _ = try config.apply(toml: "[lore]\nurl = \n", file: "c.toml")
        } catch {
            #expect("\(error)".hasPrefix("c.toml:2:"))
        }
    }

    @Test func wrongTypeIsAnError() {
        var config = Configuration()
        #expect(throws: ReviewBotError("c.toml: 'model.concurrency' must be an integer")) {
            _ = try config.apply(toml: "[model]\nconcurrency = \"4\"\n", file: "c.toml")
        }
    }

    @Test func dumpReadsBackToTheSameConfiguration() throws {
        var config = Configuration()
        config.lore.url = "https://mirror.example/"
        config.drafts.from = "A Reviewer <a@example.org>"
        config.drafts.signature = "Thanks,\n\tA"
        config.review.budgetUSD = 0.25
        config.prices["x"] = .init(input: 0.5, cacheWrite: 0.625, cacheRead: 0.05, output: 1)
        var reread = Configuration()
        let warnings = try reread.apply(toml: config.dump(environment: [:]), file: "dump")
        #expect(warnings.isEmpty)
        #expect(reread == config)
    }

    @Test func dumpMasksSecrets() {
        var config = Configuration()
        config.imap.passwordCommand = "echo hunter2"
        let text = config.dump(environment: ["ANTHROPIC_API_KEY": "sk-secret-value",
                                             "REVIEWBOT_IMAP_PASSWORD": "hunter2"])
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("sk-secret-value"))
        #expect(text.contains("# ANTHROPIC_API_KEY: set (********)"))
    }

    @Test func environmentAndXDGPaths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbcfg-\(UUID())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reviewbot"),
                                                withIntermediateDirectories: true)
        try "[model]\nname = \"from-file\"\n".write(
            to: dir.appendingPathComponent("reviewbot/config.toml"), atomically: true, encoding: .utf8)
        let env = ["HOME": "/nonexistent", "XDG_CONFIG_HOME": dir.path,
                   "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"]
        let (config, warnings) = try Configuration.load(path: nil, environment: env)
        #expect(warnings.isEmpty)
        #expect(config.model.name == "from-file")
        #expect(config.model.baseURL == "http://127.0.0.1:9")
        #expect(throws: ReviewBotError.self) {
            _ = try Configuration.load(path: dir.path + "/missing.toml", environment: env)
        }
        #expect(XDGDirectories(environment: ["HOME": "/h"]).state == "/h/.local/state/reviewbot")
        #expect(XDGDirectories(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"]).stateDatabase.path
            == "/x/state/reviewbot/state.sqlite")
        #expect(XDGDirectories(environment: ["HOME": "/home/u"]).stateDatabase.path
            == "/home/u/.local/state/reviewbot/state.sqlite")
        // A relative XDG_STATE_HOME is invalid per the spec and ignored.
        #expect(XDGDirectories(environment: ["XDG_STATE_HOME": "rel", "HOME": "/home/u"]).stateDatabase.path
            == "/home/u/.local/state/reviewbot/state.sqlite")
    }

    @Test func treeToolTurnsComeFromTheConfigAndAreBounded() throws {
        var config = Configuration()
        #expect(try config.reviewConfiguration().maxToolTurns == 6)
        _ = try config.apply(toml: "[tree]\nmax_tool_turns = 2\n", file: "c.toml")
        #expect(try config.reviewConfiguration().maxToolTurns == 2)
        #expect(config.dump(environment: [:]).contains("[tree]\n# turns of context-tool calls a task may take "
            + "before report_findings is forced\nmax_tool_turns = 2\n"))
        _ = try config.apply(toml: "[tree]\nmax_tool_turns = 51\n", file: "c.toml")
        #expect(throws: ReviewBotError.self) { try config.reviewConfiguration() }
    }
}
