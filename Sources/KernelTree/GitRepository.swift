import Foundation

/// A local git repository, read through git plumbing only. Every command runs without a
/// shell, with a neutral configuration (no system or global config; repository settings
/// that could run programs or change output are overridden), a bounded output and a
/// deadline. New objects (the blobs and trees of the applied series) go to a cache object
/// directory with the repository's own as an alternate, so not even its object store
/// changes.
public struct GitRepository: Sendable {
    /// The path as the user gave it.
    public let path: String
    /// The repository's git directory (absolute).
    public let gitDirectory: String
    /// The repository's object directory (absolute), read as an alternate.
    public let objectDirectory: String
    /// Where new objects are written, and the working directory of every command.
    public let scratchDirectory: String

    /// Finds the repository at `path` (a work tree, a subdirectory of one, or a bare
    /// repository). `scratchDirectory` must exist or be creatable.
    public static func open(path: String, scratchDirectory: String) throws -> GitRepository {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KernelTreeError(.notARepository, "tree \(path) does not exist or is not a directory; "
                + "give --tree the path of a git checkout")
        }
        try Self.makeDirectory(scratchDirectory + "/objects/info")
        // Discovery honours the user's own configuration (safe.directory); every later
        // command names the git directory explicitly and ignores it.
        var environment = Self.baseEnvironment()
        environment.removeValue(forKey: "GIT_CONFIG_GLOBAL")
        let output = try ChildProcess.run(
            ["git", "-C", path, "rev-parse", "--absolute-git-dir", "--git-path", "objects"],
            environment: environment, stdoutLimit: KernelTreeLimits.gitOutputBytes,
            timeout: KernelTreeLimits.gitTimeoutSeconds)
        guard output.status == 0 else {
            let reason = Self.reason(output.stderr)
            if reason.contains("dubious ownership") {
                throw KernelTreeError(.notARepository, "tree \(path) is owned by another user and git refuses it; "
                    + "run as its owner or add it with git config --global --add safe.directory \(path)")
            }
            throw KernelTreeError(.notARepository, "tree \(path) is not a git repository (\(reason)); "
                + "give --tree the path of a git checkout")
        }
        let lines = output.stdoutText.split(separator: "\n").map(String.init)
        guard lines.count == 2 else {
            throw KernelTreeError(.notARepository, "tree \(path): unexpected answer from git rev-parse")
        }
        let gitDirectory = lines[0]
        var objects = lines[1]
        if !objects.hasPrefix("/") {
            objects = URL(fileURLWithPath: path).appendingPathComponent(objects).standardizedFileURL.path
        }
        return GitRepository(path: path, gitDirectory: gitDirectory, objectDirectory: objects,
                             scratchDirectory: scratchDirectory)
    }

    /// The environment of every git command: only what git needs, nothing from the user's
    /// configuration, no prompts, no optional locks.
    static func baseEnvironment() -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "LC_ALL": "C",
            "LANG": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_ADVICE": "0",
        ]
        if let home = inherited["HOME"] { environment["HOME"] = home }
        return environment
    }

    /// Settings from the repository's own config that could run a program, touch the
    /// repository or change what git prints.
    static let overrides = [
        "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false",
        "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "color.ui=never", "-c", "core.autocrlf=false",
        "-c", "core.safecrlf=false", "-c", "grep.lineNumber=false", "-c", "grep.column=false",
        "-c", "grep.fullName=false", "-c", "grep.fallbackToNoIndex=false", "-c", "core.pager=cat",
        "-c", "diff.noprefix=false", "-c", "apply.whitespace=nowarn",
    ]

    func environment(indexFile: String?) -> [String: String] {
        var environment = Self.baseEnvironment()
        environment["GIT_DIR"] = gitDirectory
        environment["GIT_OBJECT_DIRECTORY"] = scratchDirectory + "/objects"
        environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = objectDirectory
        if let indexFile { environment["GIT_INDEX_FILE"] = indexFile }
        return environment
    }

    /// Runs `git ARGS` and returns what it printed, whatever its status.
    func run(_ arguments: [String], indexFile: String? = nil, stdin: [UInt8] = [],
             limit: Int = KernelTreeLimits.gitOutputBytes,
             timeout: Double = KernelTreeLimits.gitTimeoutSeconds) throws -> ChildOutput {
        try ChildProcess.run(["git", "-C", scratchDirectory] + Self.overrides + arguments,
                             environment: environment(indexFile: indexFile), stdin: stdin,
                             stdoutLimit: limit, timeout: timeout)
    }

    /// Runs `git ARGS`; a failure, a timeout or cut output is an error naming the command.
    func output(_ arguments: [String], indexFile: String? = nil, stdin: [UInt8] = [],
                limit: Int = KernelTreeLimits.gitOutputBytes) throws -> String {
        let result = try run(arguments, indexFile: indexFile, stdin: stdin, limit: limit)
        try check(result, arguments)
        return result.stdoutText
    }

    func check(_ result: ChildOutput, _ arguments: [String]) throws {
        let command = "git " + (arguments.first ?? "")
        if result.timedOut {
            throw KernelTreeError(.gitFailed, "\(command) in \(path) took longer than "
                + "\(Int(KernelTreeLimits.gitTimeoutSeconds)) s and was stopped; is the disk or machine very slow?")
        }
        if result.truncated {
            throw KernelTreeError(.gitFailed, "\(command) in \(path) printed more than "
                + "\(KernelTreeLimits.gitOutputBytes >> 20) MB and was stopped")
        }
        guard result.status == 0 else {
            throw KernelTreeError(.gitFailed, "\(command) failed in \(path): \(Self.reason(result.stderr))")
        }
    }

    /// The full commit id `revision` names, or nil.
    func resolveCommit(_ revision: String) throws -> String? {
        let result = try run(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"])
        guard result.status == 0 else { return nil }
        let id = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return ObjectID.isFull(id) ? id : nil
    }

    /// The tree id of `commit`.
    func treeOf(_ commit: String) throws -> String {
        try output(["rev-parse", "--verify", "--end-of-options", commit + "^{tree}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// git's reason: the `error:`/`fatal:` lines of stderr, joined, without the prefixes.
    static func reason(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let errors = lines.filter { $0.hasPrefix("error: ") || $0.hasPrefix("fatal: ") }
        let chosen = (errors.isEmpty ? lines : errors).prefix(3).map { line -> String in
            for prefix in ["error: ", "fatal: "] where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
            return line
        }
        let text = chosen.joined(separator: "; ")
        return text.isEmpty ? "no reason given" : String(text.prefix(400))
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw KernelTreeError(.cache, "cannot create \(path): \(error.localizedDescription); "
                + "check that XDG_CACHE_HOME is writable")
        }
    }
}

/// Checks on object ids from untrusted text (patch `index` lines, `base-commit:`).
enum ObjectID {
    static func isHex(_ text: some StringProtocol, minimum: Int = 4, maximum: Int = 64) -> Bool {
        text.utf8.count >= minimum && text.utf8.count <= maximum
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    static func isFull(_ text: String) -> Bool { (text.utf8.count == 40 || text.utf8.count == 64) && isHex(text) }

    /// All zeros: the `index 0000000..` of a new or deleted file.
    static func isNull(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy { $0 == 0x30 } }
}
