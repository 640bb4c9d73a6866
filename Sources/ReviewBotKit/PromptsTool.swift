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

    /// `prompts match` on patches already read and parsed, each with its subject line.
    public func match(_ patches: [(subject: String, patch: Patch)]) throws -> String {
        try library.matchReport(patches.map {
            NamedPatchFacts(title: $0.subject, facts: PatchFacts($0.patch, subject: $0.subject))
        })
    }
}
