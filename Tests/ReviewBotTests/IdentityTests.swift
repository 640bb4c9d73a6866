import Foundation
import MboxParser
@testable import ReviewBotKit
import Testing

/// Who the drafts are from: as git send-email and b4 decide it, from a real git.
@Suite struct IdentityTests {
    /// An environment whose git sees only `global` (no system file, no repository).
    func environment(global: String?, extra: [String: String] = [:]) throws -> (env: [String: String], dir: URL) {
        let dir = try TestDirectories.make("identity")
        let file = dir.appendingPathComponent("gitconfig")
        try Data((global ?? "").utf8).write(to: file)
        var env = ["HOME": dir.path, "GIT_CONFIG_GLOBAL": file.path, "GIT_CONFIG_NOSYSTEM": "1",
                   "GIT_CEILING_DIRECTORIES": dir.deletingLastPathComponent().path, "PATH": "/usr/bin:/bin"]
        env.merge(extra) { $1 }
        return (env, dir)
    }

    func reviewer(_ config: Configuration = Configuration(), global: String?, extra: [String: String] = [:]) throws -> MailAddress {
        let (env, dir) = try environment(global: global, extra: extra)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try config.reviewer(environment: env, configFile: "/home/me/.config/reviewbot/config.toml",
                                   directory: dir)
    }

    @Test func theOrderIsDraftsFromThenSendemailFromThenUserThenTheEnvironment() throws {
        let full = """
            [user]
            \tname = User Name
            \temail = user@example.org
            [sendemail]
            \tfrom = \\\"Send, Email\\\" <send@example.org>
            """
        var config = Configuration()
        config.drafts.from = "Configured <configured@example.org>"
        #expect(try reviewer(config, global: full) == MailAddress(name: "Configured", email: "configured@example.org"))
        #expect(try reviewer(global: full) == MailAddress(name: "Send, Email", email: "send@example.org"))
        #expect(try reviewer(global: "[user]\n\tname = User Name\n\temail = user@example.org\n")
            == MailAddress(name: "User Name", email: "user@example.org"))
        #expect(try reviewer(global: nil, extra: ["GIT_AUTHOR_NAME": "Env Name", "GIT_AUTHOR_EMAIL": "env@example.org"])
            == MailAddress(name: "Env Name", email: "env@example.org"))
        #expect(try reviewer(global: nil, extra: ["EMAIL": "plain@example.org"]) == MailAddress(name: "", email: "plain@example.org"))
    }

    @Test func withoutAnIdentityTheErrorNamesTheConfigFile() throws {
        #expect {
            _ = try reviewer(global: nil)
        } throws: { error in
            "\(error)".contains("set [drafts] from = \"Your Name <you@example.org>\" in /home/me/.config/reviewbot/config.toml")
        }
        // A broken sendemail.from is reported, not skipped for the next source.
        #expect {
            _ = try reviewer(global: "[sendemail]\n\tfrom = not an address\n[user]\n\temail = u@example.org\n")
        } throws: { error in
            "\(error)".hasPrefix("git's sendemail.from is not one address")
        }
        var config = Configuration()
        config.drafts.from = "Two <a@example.org>, Addresses <b@example.org>"
        #expect(throws: ReviewBotError.self) { _ = try reviewer(config, global: nil) }
    }
}
