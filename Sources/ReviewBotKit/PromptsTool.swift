import Foundation
import MboxParser
import PromptLibrary

/// What `reviewbot prompts list|show|match` does, callable from tests.
public struct PromptsTool: Sendable {
    public let library: PromptLibrary

    /// Loads the bundled prompts with `promptsDirectory` (the `--prompts` option) on top,
    /// or the XDG config directory when the option is absent and that directory exists.
    public init(promptsDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        library = try PromptLibrary.load(explicitOverride: promptsDirectory.map { URL(fileURLWithPath: $0) },
                                         environment: environment)
    }

    /// Loading warnings, one `file:line: warning: ...` line each.
    public var warnings: [String] { library.warnings.map(\.description) }

    public func list() -> String { library.listing() }

    public func show(_ name: String) throws -> String { try library.showing(name) }

    /// `prompts match` on a prepared review: per patch, the files that matched and why,
    /// and the cached prefix its requests start with, the same figure `plan` prints (the
    /// guides, the specs matched anywhere in the series, this patch's context).
    public func match(_ prepared: PreparedReview) -> String {
        var out = ""
        for (index, patch) in prepared.patches.enumerated() {
            out += patch.subject + "\n"
            let matches = prepared.matches[index]
            if matches.isEmpty { out += "  no subsystem or pattern file matches\n" }
            for match in matches {
                out += "  \(match.file.path)\n"
                out += match.hits.map { "    \($0)\n" }.joined()
            }
            out += "  prefix: about \(prepared.prefixTokens(patchIndex: index)) tokens "
                + "(guides, the series' matched specs, this patch's context; as plan shows)\n\n"
        }
        return out
    }
}
