import Foundation
import MailSources
import ReviewEngine

/// Bounds on the git commands the eval runs in a user's tree.
enum EvalGitLimits {
    /// Bytes of one `git format-patch -1`: the largest single commits in the kernel's
    /// history (firmware tables, generated headers) are tens of megabytes; a review of
    /// anything near this size is not one the model can read anyway.
    static let maxPatchBytes = 64 * 1_024 * 1_024
    /// Seconds for one git command: format-patch of a large commit on a cold cache takes a
    /// few seconds on a laptop; a minute means git is stuck (a lock, a network filesystem).
    static let timeoutSeconds = 60.0
}

/// The benchmark's commits from a local git checkout (`--tree PATH`), read with plumbing
/// that never changes the checkout: `rev-parse`, `format-patch --stdout`, and `apply
/// --check --cached` against the parent in a temporary index file of our own.
///
/// `contextProvider` gives the review its code context at the parent (`withTree` opens
/// the tree's `TreeContextProvider` with the parent as `--base`, as `review --tree
/// --base` does); without one the eval reviews each diff alone.
public struct EvalTreeSource: EvalPatchSource {
    public var path: String
    public var contextProvider: (@Sendable (PreparedReview, String) async throws -> (any CodeContextProvider)?)?

    public init(path: String,
                contextProvider: (@Sendable (PreparedReview, String) async throws -> (any CodeContextProvider)?)? = nil) {
        self.path = path
        self.contextProvider = contextProvider
    }

    /// The source whose reviews read the tree as `reviewbot review --tree PATH --base
    /// PARENT` does: the commit's patch applied on its parent in a temporary index, the
    /// code around each hunk and the context tools.
    public static func withTree(path: String, configuration: Configuration,
                                environment: [String: String]) -> EvalTreeSource {
        var configuration = configuration
        configuration.tree.path = path
        return EvalTreeSource(path: path) { [configuration] prepared, parent in
            try await TreeContextProvider.open(for: prepared, configuration: configuration, base: parent,
                                               environment: environment)
        }
    }

    /// Checks that `path` is a git work tree or bare repository, so a wrong `--tree` is a
    /// usage error before any row is tried.
    public func checkRepository() throws {
        let result = try git(["rev-parse", "--git-dir"])
        guard result.status == 0 else {
            throw ReviewBotError("--tree \(path) is not a git repository (git rev-parse says: "
                + "\(result.errorLine)); give the path of a kernel checkout", kind: .usage)
        }
    }

    public func patch(of commit: String) async throws -> EvalCommitPatch {
        try await Self.offThePool { [self] in try readPatch(commit) }
    }

    public func tree(for prepared: PreparedReview, parent: String) async throws -> (any CodeContextProvider)? {
        try await contextProvider?(prepared, parent)
    }

    func readPatch(_ commit: String) throws -> EvalCommitPatch {
        // The benchmark reader lets only hex ids through; checked again here because this
        // is where the text becomes a git argument.
        guard EvalBenchmark.isCommitID(commit) else { return .missing("\(commit.prefix(80)) is not a commit id") }
        let full = try git(["rev-parse", "--verify", "--quiet", "\(commit)^{commit}"])
        guard full.status == 0, let id = full.firstLine, ObjectIDText.isFull(id) else {
            return .missing("commit \(commit) is not in \(path); fetch the history that holds it")
        }
        let parent = try git(["rev-parse", "--verify", "--quiet", "\(id)^1^{commit}"])
        guard parent.status == 0, let parentID = parent.firstLine, ObjectIDText.isFull(parentID) else {
            return .missing("commit \(commit) has no parent in \(path) (a root commit, or a shallow clone)")
        }
        let patch = try git(["format-patch", "-1", "--stdout", "--no-signature", "--no-color", "--full-index",
                             "--binary", id])
        guard patch.status == 0 else {
            return .missing("git format-patch -1 \(commit) failed: \(patch.errorLine)")
        }
        if let reason = try applyCheck(patch.stdout, parent: parentID) {
            return .notApplied("does not apply at its parent \(parentID.prefix(12)): \(reason)")
        }
        return .found(mail: String(decoding: patch.stdout, as: UTF8.self), parent: parentID)
    }

    /// Applies the patch to the parent's tree in a throwaway index (never the checkout's):
    /// nil when it applies, else git's first complaint.
    func applyCheck(_ patch: Data, parent: String) throws -> String? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let index = scratch.appendingPathComponent("index").path
        let environment = ["GIT_INDEX_FILE": index]
        let read = try git(["read-tree", parent], environment: environment)
        guard read.status == 0 else { return "git read-tree \(parent.prefix(12)) failed: \(read.errorLine)" }
        let patchFile = scratch.appendingPathComponent("commit.patch")
        try patch.write(to: patchFile)
        let apply = try git(["apply", "--cached", "--check", patchFile.path], environment: environment)
        return apply.status == 0 ? nil : apply.errorLine
    }

    struct GitResult {
        var status: Int32
        var stdout: Data
        var stderr: Data

        var firstLine: String? {
            String(decoding: stdout, as: UTF8.self).split(separator: "\n").first.map(String.init)
        }

        /// git's first line on stderr, with control characters removed (it may quote
        /// names from the tree).
        var errorLine: String {
            let line = String(decoding: stderr.prefix(400), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            let clean = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
            return clean.isEmpty ? "exit status \(status)" : clean
        }
    }

    /// Runs git in the tree with no shell, no pager, no user config that could run
    /// programs (no hooks apply to these commands), a byte limit on stdout and a deadline:
    /// `ProgramRun`, the runner the Fixes: checks read the tree with.
    func git(_ arguments: [String], environment extra: [String: String] = [:]) throws -> GitResult {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        for (key, value) in extra { environment[key] = value }
        let result: ProgramRun.Output
        do {
            result = try ProgramRun.run("git", ["-C", path, "-c", "core.pager=cat", "-c", "color.ui=false"] + arguments,
                                        environment: environment, timeout: EvalGitLimits.timeoutSeconds,
                                        maxOutputBytes: EvalGitLimits.maxPatchBytes)
        } catch {
            throw ReviewBotError("cannot run git for --tree \(path): \(error)", kind: .unavailable)
        }
        guard let status = result.status else {
            throw ReviewBotError("git \(arguments.first ?? "") in \(path) \(result.failure ?? "failed"); "
                + "such a commit is left out, or check that the repository is not locked", kind: .unavailable)
        }
        return GitResult(status: status, stdout: result.output, stderr: Data(result.errorText.utf8))
    }

    private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Object ids as git prints them.
enum ObjectIDText {
    static func isFull(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
