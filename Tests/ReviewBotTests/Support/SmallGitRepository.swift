import Foundation
import GitFixtures
import MailSources

/// Git repositories of C for the checks that read a tree, built on the tree tests'
/// `GitFixture` (deterministic commits, no user configuration).
struct SmallGitRepository {
    let fixture: GitFixture
    var path: URL { fixture.directory }

    /// A commit: its subject and the files it writes (path to content).
    struct Commit {
        var subject: String
        var files: [String: String]
    }

    /// Creates the repository and makes `commits` in order; `ids` are their full ids.
    static func make(_ commits: [Commit]) throws -> (repository: SmallGitRepository, ids: [String]) {
        let fixture = try GitFixture(name: "fixes")
        var ids: [String] = []
        for commit in commits {
            for (file, content) in commit.files { try fixture.write(file, content) }
            ids.append(try fixture.commit(commit.subject))
        }
        return (SmallGitRepository(fixture: fixture), ids)
    }

    /// `count` empty commits `commit 1` ... made by fast-import with fixed dates, so their
    /// ids are the same on every run: with 700, `5d11` names two of them (237 and 339).
    static func manyCommits(_ count: Int) throws -> SmallGitRepository {
        let fixture = try GitFixture(name: "ambiguous")
        let path = fixture.directory
        var stream = ""
        for number in 1...count {
            let message = "commit \(number)\n"
            stream += "commit refs/heads/main\ncommitter Jane Author <jane@example.org> \(1_735_732_800 + number) +0000\n"
                + "data \(message.utf8.count)\n\(message)\n"
        }
        let file = path.appendingPathComponent(".git/import-stream")
        try Data(stream.utf8).write(to: file)
        let result = try ProgramRun.run("sh", ["-c", "git -C \"$1\" fast-import --quiet < \"$2\"", "sh", path.path, file.path],
                                        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                                                      "HOME": path.path, "GIT_CONFIG_NOSYSTEM": "1"],
                                        timeout: 60, maxOutputBytes: 1 << 20)
        guard result.status == 0 else { throw FixtureError("git fast-import: \(result.errorText)") }
        return SmallGitRepository(fixture: fixture)
    }

    func remove() { fixture.remove() }

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
