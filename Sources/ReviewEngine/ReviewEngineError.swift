import Foundation

/// Everything that can go wrong in the engine, with a message that says what happened, where,
/// and what to do. A struct with a private code so cases can be added without breaking callers.
public struct ReviewEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case stateStore
        case encoding
        case invalidConfiguration
        case prompt
    }

    let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func stateStore(_ path: String, _ underlying: any Error) -> ReviewEngineError {
        ReviewEngineError(.stateStore, "cannot use state database \(path): \(underlying); "
            + "check the directory is writable or move the file aside")
    }

    static func encoding(_ what: String, _ underlying: any Error) -> ReviewEngineError {
        ReviewEngineError(.encoding, "cannot encode \(what): \(underlying)")
    }

    static func prompt(_ problem: String) -> ReviewEngineError {
        ReviewEngineError(.prompt, "prompt template: \(problem); fix the template in the prompts override directory")
    }

    static func invalidConfiguration(_ what: String) -> ReviewEngineError {
        ReviewEngineError(.invalidConfiguration, "invalid review configuration: \(what)")
    }
}
