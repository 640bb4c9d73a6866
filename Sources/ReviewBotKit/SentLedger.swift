import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `DIR/.sent`: one line per draft the SMTP server accepted (`<message-id> file date`), so
/// a second `reviewbot send DIR` never posts the same reply twice. Held under an exclusive
/// lock for the whole run, so two runs on one DIR cannot both send.
final class SentLedger {
    static let fileName = ".sent"

    let path: String
    private let fd: Int32
    private(set) var messageIDs: Set<String>

    init(directory: URL) throws {
        path = directory.appendingPathComponent(Self.fileName).path
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ReviewBotError("cannot open \(path): \(String(cString: strerror(errno)))", kind: .usage)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ReviewBotError("another reviewbot send is working on \(directory.path) (\(path) is locked)")
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        messageIDs = Set(text.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    deinit { close(fd) }  // also releases the lock

    func contains(_ messageID: String) -> Bool { messageIDs.contains(messageID) }

    /// Appends the line and flushes it to disk before the next draft goes out.
    func record(_ messageID: String, file: String, at date: Date = Date()) throws {
        let line = "\(messageID) \(file) \(ISO8601DateFormatter().string(from: date))\n"
        let written = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == line.utf8.count, fsync(fd) == 0 else {
            throw ReviewBotError("sent \(file), but could not record it in \(path): \(String(cString: strerror(errno))); add the line '\(messageID) \(file)' by hand before sending again",
                                 kind: .unavailable)
        }
        messageIDs.insert(messageID)
    }
}
