import FixEvidence
import Foundation
import MailSources

/// The tree facts read straight from a local git checkout with read-only git commands
/// (`rev-parse`, `cat-file`, `log`, `show`, `grep`); nothing in the checkout changes.
/// Callers are read from the checkout's files as they are, not from the tree with the
/// series applied (KernelTree's index knows that better; this works without it).
extension TreeFacts {
    public static func git(repository: String, environment: [String: String]) -> TreeFacts {
        let git = GitReader(repository: repository, environment: environment)
        return TreeFacts(description: "HEAD of \(repository)",
                         fixedCommit: { tag, files in await git.fixedCommit(tag, patchFiles: files) },
                         callers: { functions, _ in await git.callers(of: functions) })
    }

    /// The tree `--tree` or `[tree] path` names; nil without one (the checks are not done).
    static func configured(_ reader: SourceReader) -> TreeFacts? {
        reader.configuration.tree.path.map { git(repository: $0, environment: reader.environment) }
    }
}

/// Limits on what a git command may cost us; each is far above what a kernel tree needs.
enum GitReaderLimits {
    /// Seconds one git command may take: `git grep` over a cold Linux checkout takes about
    /// ten; a lookup by id takes milliseconds.
    static let timeoutSeconds = 60.0
    /// Output of `log`/`show`: a large kernel commit's diff is a few MiB.
    static let showBytes = 8 << 20
    /// Output of a callers `git grep`: a widely called function has thousands of call sites.
    static let grepBytes = 32 << 20
    /// Commits that share an abbreviation listed for an ambiguous id.
    static let ambiguousCandidates = 8
    /// Callers kept per function.
    static let callersPerFunction = 64
}

struct GitReader: Sendable {
    var repository: String
    var environment: [String: String]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func fixedCommit(_ tag: FixesTag, patchFiles: [String]) async -> FixedCommitFacts {
        do {
            // `^{commit}`: git picks the one commit an abbreviation names even when blobs or
            // trees share it, and says so when several commits do.
            let resolved = try await output(["rev-parse", "--verify", "--end-of-options", "\(tag.commit)^{commit}"],
                                            maxOutputBytes: 4_096)
            guard resolved.status == 0 else {
                if resolved.errorText.contains("is ambiguous") {
                    return FixedCommitFacts(resolution: .ambiguous(try await ambiguousCommits(tag.commit,
                                                                                              hints: resolved.errorText)))
                }
                if resolved.errorText.contains("Needed a single revision") { return FixedCommitFacts(resolution: .unknown) }
                throw failure(["rev-parse"], resolved)
            }
            let id = String(decoding: resolved.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard id.count >= 40, id.allSatisfy(\.isHexDigit) else { throw Failure(description: "git rev-parse gave no id") }
            let subject = try await run(["log", "-1", "--format=%s", id], maxOutputBytes: GitReaderLimits.showBytes)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let files = try await run(["show", "--format=", "--name-only", "--no-renames", id],
                                      maxOutputBytes: GitReaderLimits.showBytes)
                .split(separator: "\n").map(String.init)
            var functions: [String]?
            if !files.contains(where: patchFiles.contains) {
                let diff = try await run(["show", "--format=", "-U0", "--no-renames", "--no-color", id],
                                         maxOutputBytes: GitReaderLimits.showBytes)
                functions = Self.hunkFunctions(diff)
            }
            return FixedCommitFacts(resolution: .unique(id), subject: subject, files: files, functions: functions)
        } catch {
            return FixedCommitFacts(resolution: .unreadable("\(error)"))
        }
    }

    /// The commits an ambiguous abbreviation names: from git's `hint:   5d112db commit ...`
    /// lines, else the commits among the objects `--disambiguate` lists.
    func ambiguousCommits(_ abbreviation: String, hints: String) async throws -> [String] {
        let hinted = Self.hintedCommits(hints)
        guard hinted.isEmpty else { return Array(hinted.prefix(GitReaderLimits.ambiguousCandidates)) }
        let named = try await run(["rev-parse", "--disambiguate=\(abbreviation)"], maxOutputBytes: 1 << 20)
            .split(separator: "\n").map(String.init).filter { $0.allSatisfy(\.isHexDigit) }
        var commits: [String] = []
        for object in named.prefix(GitReaderLimits.ambiguousCandidates) {
            let type = try await run(["cat-file", "-t", object], maxOutputBytes: 64)
            if type.trimmingCharacters(in: .whitespacesAndNewlines) == "commit" { commits.append(object) }
        }
        return commits
    }

    static func hintedCommits(_ errorText: String) -> [String] {
        errorText.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count >= 3, words[0] == "hint:", words[2] == "commit", words[1].allSatisfy(\.isHexDigit) else { return nil }
            return String(words[1])
        }
    }

    /// For each function, the functions whose bodies call it; nil when git could not answer.
    func callers(of functions: [String]) async -> [String: [String]]? {
        let wanted = functions.filter { name in name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
        guard !wanted.isEmpty else { return [:] }
        // C's function-name pattern for `-p`, so a label in column 0 is not taken for a function.
        let attributes = FileManager.default.temporaryDirectory
            .appendingPathComponent("reviewbot-gitattributes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: attributes) }
        do {
            try Data("*.c diff=cpp\n*.h diff=cpp\n".utf8).write(to: attributes)
            let output = try await run(["-c", "core.attributesFile=\(attributes.path)", "grep", "-n", "-p", "-w", "-I",
                                        "--no-color"] + wanted.flatMap { ["-e", $0] } + ["--", "*.c", "*.h"],
                                       maxOutputBytes: GitReaderLimits.grepBytes, noMatchIsEmpty: true)
            return Self.callers(inGrep: output, of: wanted)
        } catch {
            return nil
        }
    }

    /// The functions `git show -U0` names in its hunk headers.
    static func hunkFunctions(_ diff: String) -> [String] {
        var seen = Set<String>()
        return diff.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("@@ "), let close = line.range(of: " @@", range: line.index(line.startIndex, offsetBy: 3)..<line.endIndex)
            else { return nil }
            return ChangedFunctions.name(inDefinition: String(line[close.upperBound...]))
        }.filter { seen.insert($0).inserted }
    }

    /// Reads `git grep -n -p` output: `path=N=header` names the function the next matches
    /// sit in, `path:N:text` is a match; a match that calls `f(` inside another function
    /// makes that function a caller of `f`.
    static func callers(inGrep output: String, of functions: [String]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var current: String?
        var currentFile: Substring = ""
        for line in output.split(separator: "\n") {
            guard let (file, separator, text) = split(line) else { continue }
            if file != currentFile { currentFile = file; current = nil }
            let defines = text.first.map { $0.isLetter || $0 == "_" } == true && !text.hasSuffix(";")
                ? ChangedFunctions.name(inDefinition: String(text)) : nil
            if separator == "=" || defines != nil {
                current = defines ?? ChangedFunctions.name(inDefinition: String(text))
                if separator == "=" { continue }
            }
            guard let caller = current else { continue }
            for function in functions where caller != function && calls(text, function) {
                var list = result[function, default: []]
                if !list.contains(caller), list.count < GitReaderLimits.callersPerFunction { list.append(caller) }
                result[function] = list
            }
        }
        return result
    }

    /// `path:12:text` or `path=12=text` -> (path, separator, text).
    static func split(_ line: Substring) -> (Substring, Character, Substring)? {
        var index = line.startIndex
        while let found = line[index...].firstIndex(where: { $0 == ":" || $0 == "=" }) {
            let separator = line[found]
            let digits = line[line.index(after: found)...].prefix(while: \.isNumber)
            if !digits.isEmpty, digits.endIndex < line.endIndex, line[digits.endIndex] == separator {
                return (line[..<found], separator, line[line.index(after: digits.endIndex)...])
            }
            index = line.index(after: found)
        }
        return nil
    }

    /// Whether `text` calls `function`: its name as a word, then `(`.
    static func calls(_ text: Substring, _ function: String) -> Bool {
        var search = text.startIndex
        while let range = text.range(of: function, range: search..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = text[range.upperBound...].drop { $0 == " " }.first
            if before.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true, after == "(" { return true }
            search = range.upperBound
        }
        return false
    }

    /// Runs git in the repository off the cooperative pool (it blocks while git runs);
    /// its output unless it failed.
    func run(_ arguments: [String], maxOutputBytes: Int, noMatchIsEmpty: Bool = false) async throws -> String {
        let result = try await output(arguments, maxOutputBytes: maxOutputBytes)
        if result.status == 1, noMatchIsEmpty, result.errorText.isEmpty { return "" }
        guard result.status == 0 else { throw failure(arguments, result) }
        return String(decoding: result.output, as: UTF8.self)
    }

    /// What git did: its exit status, output and error text; thrown only when it did not
    /// finish (no git, a timeout, too much output).
    func output(_ arguments: [String], maxOutputBytes: Int) async throws -> ProgramRun.Output {
        let repository = repository
        let environment = gitEnvironment
        let result: Result<ProgramRun.Output, any Error> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: Result {
                    try ProgramRun.run("git", ["-C", repository, "--no-pager"] + arguments, environment: environment,
                                       timeout: GitReaderLimits.timeoutSeconds, maxOutputBytes: maxOutputBytes)
                })
            }.start()
        }
        let output = try result.get()
        if let reason = output.failure {
            throw Failure(description: "\(Self.command(arguments)) in \(repository) \(reason)")
        }
        return output
    }

    func failure(_ arguments: [String], _ output: ProgramRun.Output) -> Failure {
        let reason = output.errorText.split(separator: "\n").last.map { UntrustedText.oneLine(String($0)) } ?? ""
        return Failure(description: "\(Self.command(arguments)) in \(repository) failed (exit \(output.status ?? -1)): \(reason)")
    }

    /// `git grep` for `["-c", "x=y", "grep", ...]`.
    static func command(_ arguments: [String]) -> String {
        "git " + (arguments.first(where: { !$0.hasPrefix("-") && !$0.contains("=") }) ?? "")
    }

    /// PATH and HOME from our environment (git finds its config and `safe.directory`
    /// there); no prompts, no optional locks, so reading never writes the index.
    var gitEnvironment: [String: String] {
        let own = ProcessInfo.processInfo.environment
        var result = ["PATH": environment["PATH"] ?? own["PATH"] ?? "/usr/bin:/bin",
                      "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"]
        if let home = environment["HOME"] ?? own["HOME"] { result["HOME"] = home }
        return result
    }
}
