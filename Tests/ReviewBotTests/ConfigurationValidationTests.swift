import Foundation
import Testing
@testable import ReviewBotKit

/// Every setting is checked when it is loaded, against one table of ranges; what is out
/// of range is refused with the key, the value and what is allowed, and `config dump`
/// shows it.
@Suite struct ConfigurationValidationTests {
    func loaded(_ toml: String, environment: [String: String] = [:]) throws -> Configuration {
        var config = Configuration()
        _ = try config.apply(toml: toml, file: "c.toml")
        if let base = environment["ANTHROPIC_BASE_URL"] { config.model.baseURL = base }
        return config
    }

    @Test(arguments: [
        ("[model]\nretries = 9223372036854775807\n", "model.retries = 9223372036854775807", "0 to 10"),
        ("[model]\ntimeout_seconds = 9223372036854775807\n", "model.timeout_seconds", "1 to 3600"),
        ("[lore]\nretries = 9223372036854775807\n", "lore.retries", "0 to 10"),
        ("[imap]\ndays = 99999999999\n", "imap.days = 99999999999", "1 to 3650"),
        ("[review]\nmax_findings_per_patch = -1\n", "review.max_findings_per_patch = -1", "1 to 100"),
        ("[review]\nbudget_usd = nan\n", "review.budget_usd = nan", "0.0 to 10000.0"),
        ("[review]\nbudget_usd = -inf\n", "review.budget_usd = -inf", "0.0 to 10000.0"),
        ("[review]\nseverity_floor = \"critical\"\n", "review.severity_floor = \"critical\"", "one of low, medium, high"),
        ("[model]\nauth = \"basic\"\n", "model.auth = \"basic\"", "one of x-api-key, bearer"),
        ("[prices.\"m\"]\ninput = inf\n", "prices.\"m\".input = inf", "0.0 to 1000.0"),
    ])
    func outOfRangeValuesAreRefusedWithKeyValueAndRange(toml: String, key: String, allowed: String) throws {
        let config = try loaded(toml)
        let problems = config.problems()
        #expect(problems.count == 1, "\(problems)")
        let text = problems.first?.description ?? ""
        #expect(text.hasPrefix(key), "\(text)")
        #expect(text.hasSuffix(allowed), "\(text)")
        #expect(throws: ReviewBotError.self) { try config.reviewConfiguration() }
    }

    @Test func loadingRefusesAFileWithABadValueAndNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbval-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("c.toml")
        try "[model]\nretries = 9223372036854775807\n".write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try Configuration.loadValidated(path: file.path, environment: ["HOME": dir.path])
            Issue.record("a retries count at Int64 max was accepted")
        } catch let error as ReviewBotError {
            #expect(error.kind == .usage)
            #expect(error.description.contains(file.path))
            #expect(error.description.contains("model.retries = 9223372036854775807 is not allowed: 0 to 10"))
        }
        #expect(try Configuration.loadValidated(path: nil, environment: ["HOME": dir.path]).0 == Configuration())
    }

    @Test func flagsAreCheckedAgainstTheSameRanges() throws {
        #expect(throws: ReviewBotError.self) { try SourceFlags(timeout: 1e300).validate() }
        #expect(throws: ReviewBotError.self) { try SourceFlags(timeout: .nan).validate() }
        #expect(throws: ReviewBotError.self) { try SourceFlags(imapDays: 99_999_999_999).validate() }
        #expect(throws: ReviewBotError.self) {
            try Configuration().loreConfiguration(flags: SourceFlags(timeout: 1e300), environment: [:])
        }
        #expect(throws: ReviewBotError.self) {
            try Configuration().imapOptions(flags: SourceFlags(imapDays: Int.max), environment: [:])
        }
        try SourceFlags(imapDays: 30, timeout: 0.5).validate()
        #expect(throws: ReviewBotError.self) {
            try Configuration.check(flag: "--budget", -.infinity, in: Configuration.budgetRange)
        }
    }

    @Test func plainHTTPToAnythingButLoopbackIsRefusedUnlessAllowed() throws {
        let remote = try loaded("", environment: ["ANTHROPIC_BASE_URL": "http://gateway.example.com:8080"])
        let problem = try #require(remote.problems(environment: ["ANTHROPIC_BASE_URL": "x"]).first)
        #expect(problem.key == "model.base_url")
        #expect(problem.origin == "ANTHROPIC_BASE_URL")
        #expect(problem.description.contains("travel in clear"))
        #expect(throws: ReviewBotError.self) {
            _ = try remote.messagesTransport(environment: ["ANTHROPIC_API_KEY": "k"])
        }
        for loopback in ["http://127.0.0.1:9", "http://localhost:8080", "http://[::1]:80"] {
            #expect(try loaded("", environment: ["ANTHROPIC_BASE_URL": loopback]).problems().isEmpty, "\(loopback)")
        }
        let allowed = try loaded("[model]\nallow_insecure_http = true\n",
                                 environment: ["ANTHROPIC_BASE_URL": "http://gateway.example.com"])
        #expect(allowed.problems().isEmpty)
    }

    @Test func dumpMarksWhatIsInvalidAndMasksCredentialsInURLs() throws {
        let config = try loaded("""
            [model]
            base_url = "https://user:s3cret@gateway.example.com/anthropic"
            retries = 99
            """)
        let dump = config.dump(environment: [:])
        #expect(!dump.contains("s3cret"))
        #expect(dump.contains("base_url = \"https://********@gateway.example.com/anthropic\""))
        #expect(dump.contains("# INVALID: model.retries = 99 is not allowed: 0 to 10\nretries = 99\n"))
    }

    @Test func dumpPrintsPricesAsWrittenAndDocumentsEveryKey() throws {
        let dump = Configuration().dump(environment: [:])
        #expect(!dump.contains("0.30000000000000004"))
        #expect(dump.contains("cache_read = 0.3  # dollars per million tokens read from the prompt cache"))
        let lines = dump.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, line) in lines.enumerated() where !line.hasPrefix("#") && !line.hasPrefix("[") && !line.isEmpty {
            let documented = line.contains("  # ") || (index > 0 && lines[index - 1].hasPrefix("# "))
            #expect(documented, "undocumented key in the dump: \(line)")
        }
        // Every key the file may hold is printed, so every key is documented.
        for key in ConfigSchema.keys {
            #expect(dump.contains("\n\(key.field) = ") || dump.contains("\n# \(key.field) = (not set)"), "\(key.name)")
        }
        var reread = Configuration()
        #expect(try reread.apply(toml: dump, file: "dump").isEmpty)
        #expect(reread == Configuration())
    }

    @Test func theDefaultsProtectTheUser() {
        let config = Configuration()
        #expect(config.review.budgetUSD > 0, "a default budget")
        #expect(config.review.confirmAboveUSD > 0)
        #expect(config.problems().isEmpty)
    }
}
