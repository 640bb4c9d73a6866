import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads objects through one long-running `git cat-file --batch`, so reading a file of a
/// tree costs a pipe round trip rather than a process. Calls are serialised; each has a
/// deadline, and a reader that failed once is restarted on the next call.
final class BlobReader: @unchecked Sendable {
    private let repository: GitRepository
    private let lock = NSLock()
    private var child: ChildProcess.Running?
    private var output: PipeReader?

    init(repository: GitRepository) {
        self.repository = repository
    }

    deinit {
        stop()
    }

    /// The blob id and content of `object` (`<tree>:<path>` or a blob id), nil when it does
    /// not exist or is not a blob. Larger than `limit`: an error.
    func read(_ object: String, limit: Int = KernelTreeLimits.maxBlobBytes) throws -> (id: String, bytes: [UInt8])? {
        guard !object.contains("\n"), !object.contains("\0") else { return nil }
        lock.lock()
        defer { lock.unlock() }
        do {
            return try readLocked(object, limit: limit)
        } catch {
            stop()
            throw error
        }
    }

    private func readLocked(_ object: String, limit: Int) throws -> (id: String, bytes: [UInt8])? {
        if child == nil {
            let started = try ChildProcess.spawn(["git", "-C", repository.scratchDirectory] + GitRepository.overrides
                                                 + ["cat-file", "--batch"],
                                                 environment: repository.environment(indexFile: nil))
            child = started
            output = PipeReader(fd: started.output, what: "git cat-file in \(repository.path)")
        }
        guard let child, var output else { return nil }
        defer { self.output = output }
        let deadline = ChildProcess.monotonicNow() + KernelTreeLimits.gitTimeoutSeconds
        try PipeReader.writeAll(Array((object + "\n").utf8), to: child.input, deadline: deadline, what: output.what)
        let header = try output.readLine(deadline: deadline)
        // `<id> blob <size>`, or `<object> missing` / `ambiguous`.
        let fields = header.split(separator: " ")
        guard fields.count == 3, let size = Int(fields[2]) else { return nil }
        // Too large: refuse before reading it (the reader is restarted on the next call).
        guard size <= limit else {
            throw KernelTreeError(.gitFailed, "\(object) is \(size >> 10) KB, more than the "
                + "\(limit >> 20) MB a file may have to be read")
        }
        let body = try output.withBytes(size + 1, deadline: deadline) { Array($0.dropLast()) }
        return fields[1] == "blob" ? (String(fields[0]), body) : nil
    }

    private func stop() {
        guard let child else { return }
        close(child.input)
        close(child.output)
        close(child.errors)
        kill(child.pid, SIGKILL)
        _ = ChildProcess.reap(child.pid)
        self.child = nil
        output = nil
    }
}
