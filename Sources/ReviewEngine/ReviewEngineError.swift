import Foundation
import GRDB

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

    /// Never advice to delete or move the file: it holds the response cache, the findings
    /// of earlier revisions and the record of what was sent.
    static func stateStore(_ path: String, _ underlying: any Error) -> ReviewEngineError {
        let advice: String
        switch (underlying as? DatabaseError)?.resultCode {
        case .SQLITE_BUSY?, .SQLITE_LOCKED?:
            advice = "another reviewbot run kept it locked for too long; run again when that one has finished"
        case .SQLITE_NOTADB?, .SQLITE_CORRUPT?:
            advice = "the file is damaged or not reviewbot's; restore it from a backup, or set XDG_STATE_HOME to "
                + "use another directory (keep the file: it holds the response cache and the record of what was sent)"
        default:
            advice = "check that its directory is writable and the disk is not full"
        }
        return ReviewEngineError(.stateStore, "cannot use state database \(path): \(underlying); \(advice)")
    }

    static func stateStore(_ path: String, _ problem: String) -> ReviewEngineError {
        ReviewEngineError(.stateStore, "state database \(path): \(problem)")
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
