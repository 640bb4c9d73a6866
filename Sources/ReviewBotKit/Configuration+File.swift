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

    /// `load`, then every setting checked against its allowed values: a configuration
    /// with a value out of range is refused before any command starts, naming the key,
    /// the value, what is allowed and the file.
    public static func loadValidated(path: String?, environment: [String: String])
        throws -> (Configuration, warnings: [String])
    {
        let (config, warnings) = try load(path: path, environment: environment)
        let problems = config.problems(environment: environment)
        guard problems.isEmpty else {
            let file = path ?? defaultPath(environment: environment)
            throw ReviewBotError("invalid configuration (\(file)): "
                + problems.map(\.description).joined(separator: "; ")
                + "; fix the file or the environment (reviewbot config dump shows every value)")
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
            if let top = ConfigSchema.topLevel[key] {
                try top.read(&self, value, key, file)
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
                try setter.read(&self, sub[field]!, "\(key).\(field)", file)
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

    /// An array of strings, or one string holding one entry.
    static func strings(_ v: any TOMLValueConvertible, _ key: String, _ file: String) throws -> [String] {
        if let s = v.string { return [s] }
        guard let array = v.array else { throw ReviewBotError("\(file): '\(key)' must be an array of strings") }
        return try array.map { element in
            guard let s = element.string else { throw ReviewBotError("\(file): '\(key)' must be an array of strings") }
            return s
        }
    }

    static func bool(_ v: any TOMLValueConvertible, _ key: String, _ file: String) throws -> Bool {
        guard let b = v.bool else { throw ReviewBotError("\(file): '\(key)' must be true or false") }
        return b
    }
}
