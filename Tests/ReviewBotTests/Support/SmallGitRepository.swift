import Foundation
import MailSources
import Testing

/// A throwaway git repository with a few commits of C, for the checks that read a tree.
struct SmallGitRepository {
    let path: URL

    /// A commit: its subject and the files it writes (path to content).
    struct Commit {
        var subject: String
        var files: [String: String]
    }

    /// Creates the repository and makes `commits` in order; `ids` are their full ids.
    static func make(_ commits: [Commit]) throws -> (repository: SmallGitRepository, ids: [String]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rb-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        let repository = SmallGitRepository(path: path)
        try repository.git(["init", "-q", "-b", "master"])
        var ids: [String] = []
        for (number, commit) in commits.enumerated() {
            for (file, content) in commit.files {
                let url = path.appendingPathComponent(file)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            }
            try repository.git(["add", "-A"])
            let date = "2025-01-0\(number + 1)T12:00:00Z"
            try repository.git(["-c", "user.name=Jane Author", "-c", "user.email=jane@example.org", "commit", "-q",
                                "-m", commit.subject], extra: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
            ids.append(try repository.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (repository, ids)
    }

    /// `count` empty commits `commit 1` ... made by fast-import with fixed dates, so their
    /// ids are the same on every run: with 700, `5d11` names two of them (237 and 339).
    static func manyCommits(_ count: Int) throws -> SmallGitRepository {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rb-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        let repository = SmallGitRepository(path: path)
        try repository.git(["init", "-q", "-b", "master"])
        var stream = ""
        for number in 1...count {
            let message = "commit \(number)\n"
            stream += "commit refs/heads/master\ncommitter Jane Author <jane@example.org> \(1_735_732_800 + number) +0000\n"
                + "data \(message.utf8.count)\n\(message)\n"
        }
        let file = path.appendingPathComponent(".git/import-stream")
        try Data(stream.utf8).write(to: file)
        let result = try ProgramRun.run("sh", ["-c", "git -C \"$1\" fast-import --quiet < \"$2\"", "sh", path.path, file.path],
                                        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                                                      "HOME": path.path, "GIT_CONFIG_NOSYSTEM": "1"],
                                        timeout: 60, maxOutputBytes: 1 << 20)
        guard result.status == 0 else { throw SmallGitRepositoryError(description: "git fast-import: \(result.errorText)") }
        return repository
    }

    @discardableResult
    func git(_ arguments: [String], extra: [String: String] = [:]) throws -> String {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                           "HOME": path.path, "GIT_CONFIG_NOSYSTEM": "1"]
        environment.merge(extra) { _, new in new }
        let result = try ProgramRun.run("git", ["-C", path.path] + arguments, environment: environment,
                                        timeout: 60, maxOutputBytes: 1 << 20)
        guard result.status == 0 else {
            throw SmallGitRepositoryError(description: "git \(arguments.joined(separator: " ")): \(result.errorText)")
        }
        return String(decoding: result.output, as: UTF8.self)
    }

    func remove() { try? FileManager.default.removeItem(at: path) }

    struct SmallGitRepositoryError: Error, CustomStringConvertible { var description: String }

    /// nbd's receive worker (on the fixture report's stacks) and an unrelated driver.
    static let nbdHistory: [Commit] = [
        Commit(subject: "nbd: add the receive worker", files: ["drivers/block/nbd.c": """
            static void nbd_config_put(struct nbd_device *nbd)
            {
            \tkfree(nbd->config);
            }

            static void recv_work(struct work_struct *work)
            {
            \tstruct nbd_device *nbd = work_to_nbd(work);

            again:
            \tnbd_config_put(nbd);
            }

            static int nbd_ioctl(struct block_device *bdev, unsigned int cmd)
            {
            \treturn cmd ? -EINVAL : 0;
            }

            """]),
        Commit(subject: "foo: tidy the probe", files: ["drivers/misc/foo.c": """
            static int foo_probe(struct platform_device *pdev)
            {
            \treturn 0;
            }

            """]),
    ]
}
