import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `/bin/sh -c COMMAND` with a deadline and bounded output. Spawned directly, not with
/// Foundation's `Process`: the child gets an empty signal mask (a `Process` started from a
/// Swift task inherits libdispatch's blocked signals, c-libraries.md) and its own process
/// group, so a timeout kills what the shell started too (`sleep` under `sh -c` would
/// otherwise keep the pipe open after the shell is gone).
enum ShellCommand {
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case outputTooLarge
    }

    struct Result {
        var ending: Ending
        var output: Data
        /// The first `maxErrorBytes` of stderr.
        var errorOutput: Data
        var errorTruncated: Bool
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Stdin is inherited, so a command that asks on the terminal (pinentry) still can.
    /// `arguments` are the script's `$0`, `$1`, ...: passed as they are, never parsed by the shell.
    static func run(_ command: String, arguments: [String] = [], environment: [String: String], timeout: Double,
                    maxOutputBytes: Int, maxErrorBytes: Int) throws -> Result {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw SpawnError(description: String(cString: strerror(errno))) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw SpawnError(description: String(cString: strerror(errno)))
        }
        // Not inherited by anything else this process starts (the dup2 copies are).
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ["/bin/sh", "-c", command] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        var cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for entry in cEnv { free(entry) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        guard status == 0 else { throw SpawnError(description: String(cString: strerror(status))) }

        let deadline = Date().addingTimeInterval(timeout)
        var output = Data(), errorOutput = Data()
        var errorTruncated = false
        var open = [outPipe[0], errPipe[0]]
        var ending: Ending?
        var exitStatus: Int32?
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        // Reads what is ready within `wait` milliseconds; false when nothing was.
        func pump(_ wait: Int32) -> Bool {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            guard ready > 0 else { return false }
            for entry in fds where entry.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    open.removeAll { $0 == entry.fd }
                } else if entry.fd == outPipe[0] {
                    guard output.count + n <= maxOutputBytes else { ending = .outputTooLarge; return false }
                    output.append(contentsOf: chunk[0..<n])
                } else {
                    let room = max(0, maxErrorBytes - errorOutput.count)
                    errorOutput.append(contentsOf: chunk[0..<min(n, room)])
                    if n > room { errorTruncated = true }
                }
            }
            return true
        }
        while ending == nil {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { ending = .timedOut; break }
            if !open.isEmpty { _ = pump(Int32(min(left * 1000, 100).rounded(.up))) } else { usleep(10_000) }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status
                // The shell is done; take what it left in the pipes, not what a child it
                // put in the background may still write.
                while ending == nil, !open.isEmpty, pump(0) {}
                break
            }
        }
        if ending != nil {
            // The whole group: the shell and whatever it started.
            kill(-pid, SIGKILL)
        }
        if exitStatus == nil {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitStatus = status
        }
        if ending == nil, let waitStatus = exitStatus {
            let signal = waitStatus & 0x7f
            ending = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
        }
        return Result(ending: ending!, output: output, errorOutput: errorOutput, errorTruncated: errorTruncated)
    }
}
