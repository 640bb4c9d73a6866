import Foundation
import ReviewEngine
import TOMLKit

extension Configuration {
    /// `$XDG_CONFIG_HOME/reviewbot/config.toml`, or `~/.config/reviewbot/config.toml`.
    public static func defaultPath(environment: [String: String]) -> String {
        XDGDirectories(environment: environment).config + "/config.toml"
    }

    /// Reads the configuration file (a missing default file is not an error; a missing
    /// file named with `--config` is), then applies the environment overrides.
    /// Unknown keys come back as warnings, in file order.
    public static func load(path: String?, environment: [String: String])
        throws -> (Configuration, warnings: [String])
    {
        var config = Configuration()
        var warnings: [String] = []
        let file = path ?? defaultPath(environment: environment)
        if FileManager.default.fileExists(atPath: file) {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ReviewBotError("cannot read config \(file): \(error.localizedDescription)")
            }
            warnings = try config.apply(toml: text, file: file)
        } else if path != nil {
            throw ReviewBotError("config file \(file) does not exist")
        }
        if let base = environment["ANTHROPIC_BASE_URL"], !base.isEmpty {
            config.model.baseURL = base
        }
        return (config, warnings)
    }

    /// Applies a TOML document over this configuration and returns warnings for keys it
    /// does not know (a typo should be visible, but not fatal).
    public mutating func apply(toml text: String, file: String) throws -> [String] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ReviewBotError("\(file):\(error.source.begin.line): \(error.description)")
        }
        var warnings: [String] = []
        for key in table.keys {
            guard let value = table[key] else { continue }
            if key == "prices" {
                try applyPrices(value, file: file, warnings: &warnings)
                continue
            }
            if key == "prompts_dir" {
                promptsDirectory = try Self.string(value, "prompts_dir", file)
                continue
            }
            guard let section = ConfigSchema.sections[key] else {
                warnings.append("\(file): unknown key '\(key)' ignored")
                continue
            }
            guard let sub = value.table else {
                throw ReviewBotError("\(file): '\(key)' must be a table ([\(key)])")
            }
            for field in sub.keys {
                guard let setter = section[field] else {
                    warnings.append("\(file): unknown key '\(key).\(field)' ignored")
                    continue
                }
                try setter(&self, sub[field]!, "\(key).\(field)", file)
            }
        }
        return warnings
    }

    private mutating func applyPrices(_ value: any TOMLValueConvertible, file: String,
                                      warnings: inout [String]) throws {
        guard let models = value.table else {
            throw ReviewBotError("\(file): 'prices' must be a table of [prices.\"model\"] tables")
        }
        for model in models.keys {
            guard let row = models[model]?.table else {
                throw ReviewBotError("\(file): prices.\(model) must be a table")
            }
            var price = prices[model] ?? ModelPrice(input: 0, cacheWrite: 0, cacheRead: 0, output: 0)
            for field in row.keys {
                let v = try Self.number(row[field]!, "prices.\(model).\(field)", file)
                switch field {
                case "input": price.input = v
                case "output": price.output = v
                case "cache_write": price.cacheWrite = v
                case "cache_read": price.cacheRead = v
                default: warnings.append("\(file): unknown key 'prices.\(model).\(field)' ignored")
                }
            }
            prices[model] = price
        }
    }

    static func string(_ v: any TOMLValueConvertible, _ key: String, _ file: String) throws -> String {
        guard let s = v.string else { throw ReviewBotError("\(file): '\(key)' must be a string") }
        return s
    }

    static func int(_ v: any TOMLValueConvertible, _ key: String, _ file: String) throws -> Int {
        guard let i = v.int else { throw ReviewBotError("\(file): '\(key)' must be an integer") }
        return i
    }

    static func number(_ v: any TOMLValueConvertible, _ key: String, _ file: String) throws -> Double {
        if let d = v.double { return d }
        if let i = v.int { return Double(i) }
        throw ReviewBotError("\(file): '\(key)' must be a number")
    }

    static func bool(_ v: any TOMLValueConvertible, _ key: String, _ file: String) throws -> Bool {
        guard let b = v.bool else { throw ReviewBotError("\(file): '\(key)' must be true or false") }
        return b
    }
}

/// The keys the file may hold, section by section, each with how it lands in the value.
enum ConfigSchema {
    typealias Setter = (inout Configuration, any TOMLValueConvertible, String, String) throws -> Void

    static func str(_ kp: WritableKeyPath<Configuration, String>) -> Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.string(v, k, f) }
    }
    static func optStr(_ kp: WritableKeyPath<Configuration, String?>) -> Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.string(v, k, f) }
    }
    static func int(_ kp: WritableKeyPath<Configuration, Int>) -> Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.int(v, k, f) }
    }
    static func num(_ kp: WritableKeyPath<Configuration, Double>) -> Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.number(v, k, f) }
    }
    static func bool(_ kp: WritableKeyPath<Configuration, Bool>) -> Setter {
        { c, v, k, f in c[keyPath: kp] = try Configuration.bool(v, k, f) }
    }

    // Computed, not stored: closures over key paths are not Sendable globals.
    static var sections: [String: [String: Setter]] { [
        "lore": [
            "url": str(\.lore.url), "cache": bool(\.lore.cache),
            "timeout_seconds": int(\.lore.timeoutSeconds), "retries": int(\.lore.retries),
        ],
        "imap": [
            "password_command": optStr(\.imap.passwordCommand), "days": int(\.imap.days),
            "search": optStr(\.imap.search), "allow_plaintext": bool(\.imap.allowPlaintext),
            "ca_file": optStr(\.imap.caFile), "timeout_seconds": int(\.imap.timeoutSeconds),
        ],
        "smtp": [
            "url": optStr(\.smtp.url), "user": optStr(\.smtp.user),
            "password_command": optStr(\.smtp.passwordCommand),
            "allow_plaintext": bool(\.smtp.allowPlaintext),
            "timeout_seconds": int(\.smtp.timeoutSeconds),
        ],
        "model": [
            "name": str(\.model.name), "max_tokens": int(\.model.maxTokens),
            "max_tokens_ceiling": int(\.model.maxTokensCeiling), "base_url": str(\.model.baseURL),
            "auth": str(\.model.auth), "concurrency": int(\.model.concurrency),
            "timeout_seconds": int(\.model.timeoutSeconds), "retries": int(\.model.retries),
        ],
        "review": [
            "task_lines": int(\.review.taskLines), "verify": bool(\.review.verify),
            "severity_floor": str(\.review.severityFloor),
            "max_findings_per_patch": int(\.review.maxFindingsPerPatch),
            "budget_tokens": int(\.review.budgetTokens), "budget_usd": num(\.review.budgetUSD),
        ],
        "tree": [
            "max_tool_turns": int(\.tree.maxToolTurns),
        ],
        "drafts": [
            "from": optStr(\.drafts.from), "disclosure": str(\.drafts.disclosure),
            "signature": optStr(\.drafts.signature),
            "cc_original_recipients": bool(\.drafts.ccOriginalRecipients),
        ],
    ] }
}
