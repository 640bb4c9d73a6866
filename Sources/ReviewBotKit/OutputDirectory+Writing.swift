import Foundation
import ReviewEngine
#if canImport(Glibc)
import Glibc
#endif

/// How output files reach the disk. `.system` is the real one; tests pass a writer that
/// fails part-way (a full disk cannot be made without privileges) to check that DIR
/// survives it.
public struct FileWriter: Sendable {
    public var write: @Sendable (_ data: Data, _ url: URL) throws -> Void

    public init(write: @escaping @Sendable (_ data: Data, _ url: URL) throws -> Void) {
        self.write = write
    }

    /// A new file, written whole and flushed to disk (fsync) before the call returns, so
    /// the rename that publishes it never exposes a half-written file.
    public static let system = FileWriter { data, url in
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}

extension OutputDirectory {
    var metadataDirectory: URL { url.appendingPathComponent(OutputManifest.directoryName) }

    /// Throws, before anything is written or any request is sent, when writing `review`
    /// here would need `--force`.
    public func check(review: ReviewIdentity, force: Bool) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let plan = Self.plan(existing: try entries(), manifest: try OutputManifest.read(in: url), files: [],
                             review: review, force: force)
        try refuseUnlessForced(plan, force: force)
    }

    /// Writes `files` as the directory's review, all or nothing, and returns what the user
    /// should hear (drafts kept, set aside, not brought back).
    @discardableResult
    public func write(_ files: [OutputFile], review: ReviewIdentity, force: Bool, date: Date) throws -> [String] {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: metadataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ReviewBotError("cannot create \(metadataDirectory.path): \(Self.reason(error))", kind: .unavailable)
        }
        let manifest = try OutputManifest.read(in: url)
        let existing = try entries()
        let plan = Self.plan(existing: existing, manifest: manifest, files: files, review: review, force: force)
        try refuseUnlessForced(plan, force: force)

        // Stage everything first: up to here DIR is untouched.
        let staging = metadataDirectory.appendingPathComponent("staging-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: staging) }
        var written: [OutputManifest.File] = []
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            for file in plan.write {
                try writer.write(file.data, staging.appendingPathComponent(file.name))
                written.append(.init(name: file.name, sha256: ContentDigest.sha256(file.data),
                                     messageID: file.messageID, patchMessageID: file.patchMessageID))
            }
            let next = OutputManifest(review: review, writtenAt: date, files: written + plan.keep)
            try writer.write(next.encoded(), staging.appendingPathComponent(OutputManifest.fileName))
        } catch {
            throw ReviewBotError("cannot write \(url.path): \(Self.reason(error)); nothing in it was changed",
                                 kind: .unavailable)
        }

        // Publish: set aside, remove what is stale, rename the staged files in, manifest last.
        var notes = plan.notes
        do {
            if !plan.moveAside.isEmpty {
                let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
                let aside = metadataDirectory.appendingPathComponent("previous")
                    .appendingPathComponent("\(stamp)-\(UUID().uuidString.prefix(8))")
                try fm.createDirectory(at: aside, withIntermediateDirectories: true)
                for name in plan.moveAside {
                    try rename(url.appendingPathComponent(name), aside.appendingPathComponent(name))
                }
                notes.append("set aside in \(aside.path): \(plan.moveAside.joined(separator: ", "))")
            }
            for name in plan.remove { try fm.removeItem(at: url.appendingPathComponent(name)) }
            for file in plan.write {
                try rename(staging.appendingPathComponent(file.name), url.appendingPathComponent(file.name))
            }
            try rename(staging.appendingPathComponent(OutputManifest.fileName), OutputManifest.url(in: url))
            syncDirectory(url)
        } catch {
            throw ReviewBotError("writing \(url.path) failed part-way through publishing the new files: \(Self.reason(error)); run the review again",
                                 kind: .unavailable)
        }
        return notes
    }

    /// DIR's top-level entries, dot files aside, each regular file with its hash.
    func entries() throws -> [String: Entry] {
        let fm = FileManager.default
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }
        } catch {
            throw ReviewBotError("cannot read \(url.path): \(Self.reason(error))", kind: .unavailable)
        }
        var result: [String: Entry] = [:]
        for name in names {
            let path = url.appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                result[name] = .other
                continue
            }
            // Only files that may be ours are read; anything else only needs to be seen.
            guard Self.looksLikeOutput(name) || name.hasSuffix(".eml"),
                  info.st_size <= OutgoingDraft.maxDraftBytes * 10,
                  let data = fm.contents(atPath: path) else {
                result[name] = .other
                continue
            }
            result[name] = .file(sha256: ContentDigest.sha256(data))
        }
        return result
    }

    func refuseUnlessForced(_ plan: Plan, force: Bool) throws {
        guard !force, !plan.needsForce.isEmpty else { return }
        throw ReviewBotError("\(url.path) holds drafts of another review that may be your work: "
            + plan.needsForce.prefix(10).joined(separator: ", ") + (plan.needsForce.count > 10 ? ", ..." : "")
            + "; choose another --out, or pass --force to set them aside in \(metadataDirectory.path)/previous/")
    }

    private func rename(_ from: URL, _ to: URL) throws {
        guard Glibc.rename(from.path, to.path) == 0 else {
            throw ReviewBotError("cannot move \(from.lastPathComponent) to \(to.path): \(String(cString: strerror(errno)))",
                                 kind: .unavailable)
        }
    }

    private func syncDirectory(_ directory: URL) {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? POSIXError { return String(cString: strerror(error.code.rawValue)) }
        if let error = error as? ReviewBotError { return error.description }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
        return error.localizedDescription
    }
}
