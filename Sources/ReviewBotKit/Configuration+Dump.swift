import Foundation

extension Configuration {
    static let mask = "********"

    /// The effective configuration as TOML, for `reviewbot config dump`: every key with a
    /// comment saying what it does, values as the file would write them, and a
    /// `# INVALID:` line above each value outside its allowed range. Secrets never appear:
    /// environment secrets show only whether they are set, password commands (which may
    /// embed a password) and credentials in URLs are masked. The text reads back as the
    /// same configuration.
    public func dump(environment: [String: String]) -> String {
        func envState(_ name: String) -> String {
            (environment[name]?.isEmpty == false) ? "set (\(Self.mask))" : "not set"
        }
        let problems = self.problems(environment: environment)
        func invalid(_ key: String) -> [String] {
            problems.filter { $0.key == key }.map { "# INVALID: \($0)" }
        }
        var lines: [String] = [
            "# effective reviewbot configuration: defaults, then the config file, then the environment",
            "# ANTHROPIC_API_KEY: \(envState(Self.apiKeyVariable))",
            "# ANTHROPIC_BASE_URL: " + (environment["ANTHROPIC_BASE_URL"]?.isEmpty == false
                ? "set, overrides model.base_url" : "not set"),
            "# REVIEWBOT_IMAP_PASSWORD: \(envState("REVIEWBOT_IMAP_PASSWORD"))",
            "# REVIEWBOT_SMTP_PASSWORD: \(envState("REVIEWBOT_SMTP_PASSWORD"))",
        ]
        var section: String?
        for key in ConfigSchema.keys {
            if key.section != section {
                section = key.section
                lines += ["", "[\(key.section ?? "")]"]
            }
            lines.append("# \(key.doc)")
            lines += invalid(key.name)
            guard let value = key.value(self) else {
                lines.append("# \(key.field) = (not set)")
                continue
            }
            var text = Self.render(value, secret: key.secret)
            if case .string(let url) = value, case .url = key.allowed {
                text = Self.quoted(Self.maskingCredentials(url))
            }
            lines.append("\(key.field) = \(text)")
        }
        for model in prices.keys.sorted() {
            let price = prices[model]!
            lines += ["", "[prices.\(Self.quoted(model))]"]
            for field in ConfigSchema.priceFields {
                lines += invalid("prices.\"\(model)\".\(field.name)")
                lines.append("\(field.name) = \(Self.number(field.value(price)))  # \(field.doc)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
