import Foundation

extension Configuration {
    static let mask = "********"

    /// The effective configuration as TOML, for `reviewbot config dump`. Secrets never
    /// appear: environment secrets show only whether they are set, and password commands
    /// (which may embed a password) are masked.
    public func dump(environment: [String: String]) -> String {
        func q(_ s: String) -> String {
            var out = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default: out.unicodeScalars.append(c)
                }
            }
            return out + "\""
        }
        func opt(_ key: String, _ value: String?, secret: Bool = false) -> String {
            guard let value else { return "# \(key) = (not set)" }
            return "\(key) = \(q(secret ? Self.mask : value))"
        }
        func num(_ d: Double) -> String {
            d == d.rounded() ? String(format: "%.1f", d) : String(d)
        }
        func envState(_ name: String) -> String {
            (environment[name]?.isEmpty == false) ? "set (\(Self.mask))" : "not set"
        }
        var lines: [String] = [
            "# effective reviewbot configuration",
            "# ANTHROPIC_API_KEY: \(envState("ANTHROPIC_API_KEY"))",
            "# REVIEWBOT_IMAP_PASSWORD: \(envState("REVIEWBOT_IMAP_PASSWORD"))",
            "# REVIEWBOT_SMTP_PASSWORD: \(envState("REVIEWBOT_SMTP_PASSWORD"))",
            opt("prompts_dir", promptsDirectory),
            "",
            "[lore]",
            "url = \(q(lore.url))",
            "cache = \(lore.cache)",
            "timeout_seconds = \(lore.timeoutSeconds)",
            "retries = \(lore.retries)",
            "",
            "[imap]",
            opt("password_command", imap.passwordCommand, secret: true),
            "days = \(imap.days)",
            opt("search", imap.search),
            "allow_plaintext = \(imap.allowPlaintext)",
            opt("ca_file", imap.caFile),
            "timeout_seconds = \(imap.timeoutSeconds)",
            "",
            "[smtp]",
            opt("url", smtp.url),
            opt("user", smtp.user),
            opt("password_command", smtp.passwordCommand, secret: true),
            "allow_plaintext = \(smtp.allowPlaintext)",
            "timeout_seconds = \(smtp.timeoutSeconds)",
            "",
            "[model]",
            "name = \(q(model.name))",
            "max_tokens = \(model.maxTokens)",
            "max_tokens_ceiling = \(model.maxTokensCeiling)",
            "base_url = \(q(model.baseURL))",
            "auth = \(q(model.auth))",
            "concurrency = \(model.concurrency)",
            "timeout_seconds = \(model.timeoutSeconds)",
            "retries = \(model.retries)",
            "",
            "[review]",
            "task_lines = \(review.taskLines)",
            "verify = \(review.verify)",
            "severity_floor = \(q(review.severityFloor))",
            "max_findings_per_patch = \(review.maxFindingsPerPatch)",
            "budget_tokens = \(review.budgetTokens)",
            "budget_usd = \(num(review.budgetUSD))",
            "",
            "[tree]",
            "max_tool_turns = \(tree.maxToolTurns)",
            "",
            "[drafts]",
            opt("from", drafts.from),
            "disclosure = \(q(drafts.disclosure))",
            opt("signature", drafts.signature),
            "cc_original_recipients = \(drafts.ccOriginalRecipients)",
        ]
        for model in prices.keys.sorted() {
            let p = prices[model]!
            lines += ["", "[prices.\(q(model))]", "input = \(num(p.input))", "output = \(num(p.output))",
                      "cache_write = \(num(p.cacheWrite))", "cache_read = \(num(p.cacheRead))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
