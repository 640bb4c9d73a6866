import CurlKit
import MailSources
import PromptLibrary

/// Errors of the command layer: configuration and orchestration.
public struct ReviewBotError: Error, CustomStringConvertible, Equatable {
    /// Which documented exit code a failure maps to.
    public enum Kind: Sendable, Equatable {
        /// Bad arguments or configuration (exit 2).
        case usage
        /// A source, the network or a server failed (exit 3).
        case unavailable
        /// The source holds no patch to work on (exit 1, the same in every command).
        case noPatches
    }

    public let description: String
    public let kind: Kind

    public init(_ description: String, kind: Kind = .usage) {
        self.description = description
        self.kind = kind
    }

    /// Whose fault `error` is, for the exit code: the user's arguments and configuration,
    /// or a source, network or server. Errors nobody classified count as the latter.
    public static func kind(of error: any Error) -> Kind {
        switch error {
        case let error as ReviewBotError:
            return error.kind
        case is SeveralSeriesError:
            return .usage
        case let error as MailSourceError:
            return error.kind == .usage ? .usage : .unavailable
        case let error as CurlError:
            return error.kind == .invalidRequest ? .usage : .unavailable
        case is PromptLibraryError:
            // The review guides are configuration: a malformed override file or a bad
            // `--prompts` directory is the user's to fix, as a bad config key is.
            return .usage
        default:
            return .unavailable
        }
    }
}
