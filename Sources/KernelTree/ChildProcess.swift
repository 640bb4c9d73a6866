import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child printed, and how it ended.
struct ChildOutput: Sendable {
    var stdout: [UInt8]
    var stderr: String
    /// The exit status, or 128 + the signal that ended it.
    var status: Int32
    /// stdout reached its limit; the child was stopped there.
    var truncated: Bool
    /// The child ran past its deadline and was killed.
    var timedOut: Bool

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program without a shell: argv as given, an explicit environment, pipes for all
/// three streams, output bounded and a deadline enforced with `poll`. Started with
/// posix_spawn and an empty signal mask (Foundation's `Process` passes libdispatch's
/// blocked signals on; c-libraries.md).
enum ChildProcess {
    static func run(_ argv: [String], environment: [String: String], stdin: [UInt8] = [],
                    stdoutLimit: Int, stderrLimit: Int = KernelTreeLimits.maxStderrBytes,
                    timeout: Double) throws -> ChildOutput {
        let child = try spawn(argv, environment: environment)
        return child.finish(stdin: stdin, stdoutLimit: stdoutLimit, stderrLimit: stderrLimit,
                            deadline: monotonicNow() + timeout)
    }

    /// A started child with the parent's ends of its pipes.
    struct Running {
        let pid: pid_t
        let input: Int32
        let output: Int32
        let errors: Int32

        /// Feeds `stdin`, reads both outputs up to their limits, then reaps the child.
        func finish(stdin: [UInt8], stdoutLimit: Int, stderrLimit: Int, deadline: Double) -> ChildOutput {
            var out: [UInt8] = []
            var err: [UInt8] = []
            var written = 0
            var inputOpen = true
            var outOpen = true
            var errOpen = true
            var truncated = false
            var timedOut = false
            if stdin.isEmpty {
                close(input)
                inputOpen = false
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while outOpen || errOpen {
                var fds: [pollfd] = []
                if outOpen { fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
                if errOpen { fds.append(pollfd(fd: errors, events: Int16(POLLIN), revents: 0)) }
                if inputOpen { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
                let remaining = deadline - monotonicNow()
                if remaining <= 0 {
                    timedOut = true
                    break
                }
                let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 60_000)) + 1)
                if ready < 0 {
                    if errno == EINTR { continue }
                    break
                }
                for entry in fds where entry.revents != 0 {
                    if entry.fd == input {
                        let count = stdin[written...].withUnsafeBytes { write(input, $0.baseAddress, min($0.count, 65_536)) }
                        if count > 0 { written += count }
                        if count < 0 && errno != EAGAIN && errno != EINTR || written == stdin.count {
                            close(input)
                            inputOpen = false
                        }
                        continue
                    }
                    let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if count < 0, errno == EAGAIN || errno == EINTR { continue }
                    if count <= 0 {
                        if entry.fd == output { outOpen = false } else { errOpen = false }
                        continue
                    }
                    if entry.fd == output {
                        let room = stdoutLimit - out.count
                        out.append(contentsOf: buffer[0..<min(count, max(room, 0))])
                        if count > room {
                            truncated = true
                            outOpen = false
                        }
                    } else if err.count < stderrLimit {
                        err.append(contentsOf: buffer[0..<min(count, stderrLimit - err.count)])
                    }
                }
                if truncated { break }
            }
            if truncated || timedOut || outOpen || errOpen { kill(pid, SIGKILL) }
            if inputOpen { close(input) }
            close(output)
            close(errors)
            return ChildOutput(stdout: out, stderr: String(decoding: err, as: UTF8.self), status: reap(pid),
                               truncated: truncated, timedOut: timedOut)
        }
    }

    /// A child that exits before reading all its input must not kill us with SIGPIPE: the
    /// write then fails with EPIPE and the child's status says what happened.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func spawn(_ argv: [String], environment: [String: String]) throws -> Running {
        _ = ignoreBrokenPipes
        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        // pipe2 is not visible from Swift's Glibc module: set close-on-exec right after, so
        // children started by other threads do not inherit these ends.
        func makePipe(_ fds: inout [Int32]) -> Bool {
            guard pipe(&fds) == 0 else { return false }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard makePipe(&inPipe), makePipe(&outPipe), makePipe(&errPipe) else {
            let reason = String(cString: strerror(errno))
            for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) }
            throw KernelTreeError(.gitFailed, "cannot create pipes for \(argv[0]): \(reason)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

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
        var cEnv = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for arg in cArgs { free(arg) }
            for entry in cEnv { free(entry) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard status == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw KernelTreeError(.gitFailed, "cannot start \(argv[0]): \(String(cString: strerror(status))); "
                + "check that it is installed (scripts/install-deps)")
        }
        for fd in [inPipe[1], outPipe[0], errPipe[0]] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return Running(pid: pid, input: inPipe[1], output: outPipe[0], errors: errPipe[0])
    }

    /// Waits for `pid`; the exit status, or 128 + the signal that ended it.
    static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
