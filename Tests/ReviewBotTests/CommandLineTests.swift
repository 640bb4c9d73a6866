import Foundation
import Testing

/// The built `reviewbot` executable, run as a user would.
@Suite struct CommandLineTests {
    /// `swift test` builds the package's products beside the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("reviewbot")

    static func run(_ arguments: [String], environment: [String: String], in directory: URL) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// No identity anywhere, and lore and the API unreachable: the run must stop on the
    /// identity (exit 2, naming the config file), not on the network (exit 3) after
    /// trying to fetch.
    @Test func reviewChecksWhoTheDraftsAreFromBeforeFetchingAnything() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the package first: \(Self.binary.path)")
        let home = try TestDirectories.make("cli-identity")
        defer { try? FileManager.default.removeItem(at: home) }
        try Data().write(to: home.appendingPathComponent("gitconfig"))
        let env = ["HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                   "XDG_STATE_HOME": home.appendingPathComponent("state").path,
                   "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
                   "GIT_CONFIG_GLOBAL": home.appendingPathComponent("gitconfig").path, "GIT_CONFIG_NOSYSTEM": "1",
                   "GIT_CEILING_DIRECTORIES": home.deletingLastPathComponent().path, "PATH": "/usr/bin:/bin",
                   "ANTHROPIC_API_KEY": "test-key-not-real", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"]
        let result = try Self.run(["review", "20211028183527.3050-1-semen.protsenko@linaro.org", "--out", "out",
                                   "--lore-url", "http://127.0.0.1:9", "--no-cache"], environment: env, in: home)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("who are the drafts from?"), "\(result.stderr)")
        #expect(result.stderr.contains(home.appendingPathComponent("config/reviewbot/config.toml").path), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("out").path))
    }
}
