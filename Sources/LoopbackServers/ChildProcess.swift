import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts programs with posix_spawn and an empty signal mask. Foundation's `Process`
/// started from a Swift task passes on libdispatch's blocked signals, and a server started
/// that way ignores SIGTERM (c-libraries.md).
public enum ChildProcess {
    /// Starts `argv` with stdout and stderr going to `outputFile` (or /dev/null).
    public static func spawn(_ argv: [String], outputFile: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let target = outputFile ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, environ)
        guard status == 0 else {
            throw LoopbackError("cannot start \(argv[0]): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Runs `argv` to completion; returns its exit status and combined output.
    @discardableResult
    public static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("reviewbot-child-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let pid = try spawn(argv, outputFile: log)
        let status = wait(pid)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (status, output)
    }

    /// Waits for `pid` and returns its exit status (128+signal when killed).
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
