import CurlKit
import Foundation
import MailSources
@testable import ReviewBotKit
import Testing

/// The configuration file, then the flags, as `fetch`, `drafts push` and `send` see them.
@Suite struct ConfigurationSourcesTests {
    let environment = ["HOME": "/home/m", "XDG_CACHE_HOME": "/var/cache/m"]

    func configured(_ toml: String) throws -> Configuration {
        var config = Configuration()
        #expect(try config.apply(toml: toml, file: "c.toml").isEmpty)
        return config
    }

    @Test func loreFromTheFileWithTheCacheUnderXDG() throws {
        let config = try configured("""
            [lore]
            url = "https://inbox.example.org/"
            timeout_seconds = 20
            retries = 1
            """)
        let lore = try config.loreConfiguration(environment: environment)
        #expect(lore.baseURL == "https://inbox.example.org")
        #expect(lore.cacheDirectory?.path == "/var/cache/m/reviewbot")
        #expect(lore.retry.maxAttempts == 2)
        #expect(lore.timeouts == TransferTimeouts(connect: 10, total: 80, lowSpeedBytesPerSecond: 1, lowSpeedSeconds: 20))
        #expect(try Configuration().loreConfiguration(environment: ["HOME": "/h"]).cacheDirectory?.path
            == "/h/.cache/reviewbot")
        #expect(try Configuration().loreConfiguration(environment: environment).baseURL == "https://lore.kernel.org")
    }

    @Test func loreFlagsWin() throws {
        let config = try configured("[lore]\nurl = \"https://inbox.example.org\"\n")
        let flags = SourceFlags(loreURL: "http://127.0.0.1:8080", noCache: true, caFile: "/etc/ca.pem", timeout: 2)
        let lore = try config.loreConfiguration(flags: flags, environment: environment)
        #expect(lore.baseURL == "http://127.0.0.1:8080")
        #expect(lore.cacheDirectory == nil)
        #expect(lore.tls.caFile == "/etc/ca.pem")
        #expect(lore.timeouts == TransferTimeouts(connect: 2, total: 8, lowSpeedBytesPerSecond: 1, lowSpeedSeconds: 2))
        #expect(try configured("[lore]\ncache = false\n").loreConfiguration(environment: environment).cacheDirectory == nil)
        #expect(throws: ReviewBotError.self) {
            try config.loreConfiguration(flags: SourceFlags(timeout: 0), environment: environment)
        }
    }

    @Test func imapFromTheFileThenTheFlags() throws {
        let config = try configured("""
            [imap]
            password_command = "pass show mail"
            days = 3
            allow_plaintext = true
            ca_file = "/etc/my-ca.pem"
            timeout_seconds = 7
            """)
        let fromFile = try config.imapOptions(environment: environment)
        #expect(fromFile.passwordCommand == "pass show mail")
        #expect(fromFile.search == .recentPatches(days: 3))
        #expect(fromFile.allowPlaintext)
        #expect(fromFile.tls.caFile == "/etc/my-ca.pem")
        #expect(fromFile.timeout == 7)
        #expect(fromFile.environment == environment)

        let flagged = try config.imapOptions(flags: SourceFlags(imapDays: 30, caFile: "/tmp/ca.pem", timeout: 1),
                                             environment: environment)
        #expect(flagged.search == .recentPatches(days: 30))
        #expect(flagged.tls.caFile == "/tmp/ca.pem")
        #expect(flagged.timeout == 1)

        let searching = try configured("[imap]\nsearch = \"FROM \\\"x@y\\\"\"\n")
        #expect(try searching.imapOptions(environment: environment).search == .raw("FROM \"x@y\""))
        #expect(try searching.imapOptions(flags: SourceFlags(imapDays: 2), environment: environment).search
            == .recentPatches(days: 2))
        #expect(try searching.imapOptions(flags: SourceFlags(imapDays: 2, imapSearch: "ALL"), environment: environment).search
            == .raw("ALL"))
        #expect(!(try Configuration().imapOptions(environment: environment).allowPlaintext))
        #expect(try Configuration().imapOptions(flags: SourceFlags(imapAllowPlaintext: true), environment: environment).allowPlaintext)
    }

    @Test func smtpFromTheFileTheFlagsAndThePasswordSources() throws {
        let config = try configured("""
            [smtp]
            url = "smtps://smtp.example.org"
            user = "me@example.org"
            password_command = "printf 'from-command\\nignored\\n'"
            timeout_seconds = 15
            """)
        let fromCommand = try config.smtpServer(environment: [:])
        #expect(fromCommand.url == "smtps://smtp.example.org")
        #expect(fromCommand.username == "me@example.org")
        #expect(fromCommand.password == "from-command")
        #expect(!fromCommand.allowPlaintext)
        #expect(fromCommand.timeouts.lowSpeedSeconds == 15)
        #expect(!"\(fromCommand)".contains("from-command"))

        let flagged = try config.smtpServer(
            flags: SMTPFlags(url: "smtp://127.0.0.1:2525", user: "other", allowPlaintext: true),
            environment: [Configuration.smtpPasswordVariable: "from-env"])
        #expect(flagged.url == "smtp://127.0.0.1:2525")
        #expect(flagged.username == "other")
        #expect(flagged.password == "from-env")
        #expect(flagged.allowPlaintext)

        // No user: no login, and no password is looked for.
        let anonymous = try configured("[smtp]\nurl = \"smtp://localhost:25\"\n").smtpServer(environment: [:])
        #expect(anonymous.username == nil && anonymous.password == nil)
    }

    @Test func smtpMistakesAreUsageErrors() throws {
        func failure(_ toml: String, _ flags: SMTPFlags = SMTPFlags()) -> ReviewBotError? {
            do {
                _ = try configured(toml).smtpServer(flags: flags, environment: [:])
                return nil
            } catch {
                return error as? ReviewBotError
            }
        }
        #expect(failure("")?.description == "no smtp server: set url in the [smtp] section of the config, or pass --smtp-url")
        #expect(failure("[smtp]\nurl = \"smtp://h\"\nuser = \"me\"\n")?.description
            == "no password for smtp user me: set REVIEWBOT_SMTP_PASSWORD or [smtp] password_command, or run reviewbot send on a terminal to be asked")
        #expect(failure("[smtp]\nurl = \"https://h\"\n")?.description == "the smtp url must start with smtp:// or smtps://")
        let inURL = failure("[smtp]\nurl = \"smtps://me:hunter2@h\"\n")
        #expect(inURL?.description == "put the smtp user in [smtp] user or --smtp-user, not in the url")
        #expect(inURL?.kind == .usage)
        #expect {
            try configured("[smtp]\nurl = \"smtp://h\"\nuser = \"me\"\npassword_command = \"exit 3\"\n")
                .smtpServer(environment: [:])
        } throws: { ReviewBotError.kind(of: $0) == .usage && "\($0)" == "[smtp] password_command failed with status 3" }
    }

    @Test func failuresMapToTheDocumentedExitKinds() {
        #expect(ReviewBotError.kind(of: ReviewBotError("bad flag")) == .usage)
        #expect(ReviewBotError.kind(of: MailSourceError.usage("no such file: x")) == .usage)
        #expect(ReviewBotError.kind(of: MailSourceError("no thread for <x@y> at https://lore.kernel.org")) == .unavailable)
        #expect(ReviewBotError.kind(of: CurlError(.timedOut, "timed out")) == .unavailable)
        #expect(ReviewBotError.kind(of: CurlError(.invalidRequest, "not an smtp:// url")) == .usage)
        do {
            _ = try SourceSpec.parse("no-such-file-and-no-at-sign")
            Issue.record("parsing nonsense must fail")
        } catch {
            #expect(ReviewBotError.kind(of: error) == .usage)
        }
    }
}
