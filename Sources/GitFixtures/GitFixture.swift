import Foundation

/// A throwaway git repository in a temporary directory, for tests: write files, commit,
/// branch, `git format-patch`. Commits are deterministic (fixed author, committer and dates),
/// and git runs with no system or global configuration.
public final class GitFixture: @unchecked Sendable {
    public let directory: URL
    private var tick = 0

    /// Creates an empty repository with `main` checked out.
    public init(name: String = "repo") throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("reviewbot-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
    }

    public var path: String { directory.path }

    /// Removes the repository.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
        let parent = directory.deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        where name.hasPrefix(directory.lastPathComponent + "-") {
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    /// Writes `text` to `path` (relative), creating directories.
    public func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    public func read(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    /// Replaces the first occurrence of `old` in `path` (which must hold it).
    public func edit(_ path: String, replacing old: String, with new: String) throws {
        let text = try read(path)
        guard let range = text.range(of: old) else {
            throw FixtureError("\(path) does not contain \(old.debugDescription)")
        }
        try write(path, text.replacingCharacters(in: range, with: new))
    }

    /// Stages everything and commits; returns the commit id.
    @discardableResult
    public func commit(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `git format-patch` of `range`, one text per patch (cover letter first when asked).
    public func formatPatch(_ range: String, base: String? = nil, coverLetter: Bool = false,
                            thread: Bool = false) throws -> [String] {
        // Outside the work tree, so writing the patches never shows in `git status`.
        let out = directory.deletingLastPathComponent().appendingPathComponent("\(directory.lastPathComponent)-patches-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var arguments = ["format-patch", "-q", "--no-signature", "-o", out.path]
        if let base { arguments.append("--base=\(base)") }
        if coverLetter { arguments.append("--cover-letter") }
        if thread { arguments.append("--thread=shallow") }
        arguments.append(range)
        try git(arguments)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        return try names.map { try String(contentsOf: out.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Runs git in the repository; its stdout, or an error with its stderr.
    @discardableResult
    public func git(_ arguments: String...) throws -> String { try git(arguments) }

    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        tick += 1
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let date = "2024-01-01T00:\(String(format: "%02d", tick % 60)):00Z"
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "Ada Author", "GIT_AUTHOR_EMAIL": "ada@example.org",
            "GIT_COMMITTER_NAME": "Ada Author", "GIT_COMMITTER_EMAIL": "ada@example.org",
            "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
            "LC_ALL": "C",
            // `git status` must not refresh the index: the snapshot would change what it
            // checks.
            "GIT_OPTIONAL_LOCKS": "0",
        ]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("git \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `mails` as one mbox file (format-patch output starts each mail with its `From ` line).
    public func writeMbox(_ mails: [String], name: String = "series.mbox") throws -> URL {
        let url = directory.deletingLastPathComponent().appendingPathComponent("\(directory.lastPathComponent)-\(name)")
        try Data(mails.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined().utf8).write(to: url)
        return url
    }

    /// What a test checks is unchanged after a review read the repository: status, refs,
    /// HEAD, the index file's bytes and time, the worktrees, and the object store's files.
    public func snapshot() throws -> RepositorySnapshot {
        let index = directory.appendingPathComponent(".git/index")
        let attributes = try FileManager.default.attributesOfItem(atPath: index.path)
        let objects = FileManager.default.enumerator(atPath: directory.appendingPathComponent(".git/objects").path)?
            .compactMap { $0 as? String }.sorted() ?? []
        return RepositorySnapshot(
            status: try git("status", "--porcelain", "--untracked-files=all"),
            refs: try git("for-each-ref"),
            head: try git("rev-parse", "HEAD") + (try git("symbolic-ref", "-q", "HEAD")),
            index: try Data(contentsOf: index),
            indexModified: attributes[.modificationDate] as? Date,
            worktrees: try git("worktree", "list", "--porcelain"),
            objects: objects)
    }
}

/// The parts of a repository a read-only reader must leave as they were.
public struct RepositorySnapshot: Equatable, Sendable {
    public var status: String
    public var refs: String
    public var head: String
    public var index: Data
    public var indexModified: Date?
    public var worktrees: String
    public var objects: [String]
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
