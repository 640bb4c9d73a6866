import Foundation

/// The XDG base directories for reviewbot, from the environment passed in (so tests can
/// point them at a temporary directory).
public struct XDGDirectories: Sendable, Equatable {
    public let config: String
    public let cache: String
    public let state: String

    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func dir(_ variable: String, _ fallback: String) -> String {
            if let v = environment[variable], v.hasPrefix("/") { return v + "/reviewbot" }
            return home + "/" + fallback + "/reviewbot"
        }
        config = dir("XDG_CONFIG_HOME", ".config")
        cache = dir("XDG_CACHE_HOME", ".cache")
        state = dir("XDG_STATE_HOME", ".local/state")
    }

    /// The SQLite state: response cache, finding fingerprints, usage per run.
    public var stateDatabase: URL { URL(fileURLWithPath: state).appendingPathComponent("state.sqlite") }
}
