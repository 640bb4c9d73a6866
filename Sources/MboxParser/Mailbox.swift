import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of mail: an mbox (mboxrd or mboxo), a single message file (.eml, .patch), a
/// maildir, a directory of message files, or stdin (`-`).
///
/// Iterating yields one `Result` per message: the parsed `MailMessage`, or the error that
/// stopped that one message (with its file and number) while reading goes on. Messages are
/// read one at a time, so memory does not grow with the size of the source. Stdin can be
/// iterated only once.
public struct Mailbox: Sequence, Sendable {
    public struct Options: Sendable, Hashable {
        /// How `>From ` lines are un-escaped; `.automatic` picks per file.
        public var format: MboxFormat
        public var limits: ParserLimits

        public init(format: MboxFormat = .automatic, limits: ParserLimits = .default) {
            self.format = format
            self.limits = limits
        }
    }

    /// The path as given (`-` for stdin).
    public let path: String
    public let options: Options
    /// The files read, in order: the path itself, or the messages of a directory.
    public let files: [String]
    /// Where `files` came from, which decides what may be read (see `FileOrigin`).
    let origin: FileOrigin

    /// A path the user named may be a FIFO (`<(curl ...)`); an entry found in a directory
    /// must be a regular file (a FIFO would block, a link to `/dev/zero` never end); a
    /// maildir entry holds one message, so it is refused unread when larger than one may be.
    enum FileOrigin: Sendable, Hashable {
        case named
        case directory
        case maildir
    }

    /// File names read from a plain directory; maildir entries have no extension.
    static let messageExtensions: Set<String> = ["", "eml", "mbox", "mboxrd", "patch", "diff", "msg", "mail"]

    /// Opens `path`; throws when it does not exist or cannot be read.
    public init(path: String, options: Options = Options()) throws(MboxParserError) {
        self.path = path
        self.options = options
        if path == "-" {
            files = ["-"]
            origin = .named
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MboxParserError(.unreadableSource, path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            (files, origin) = try Self.messageFiles(in: path)
        } else {
            guard access(path, R_OK) == 0 else {
                throw MboxParserError(.unreadableSource, path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            files = [path]
            origin = .named
        }
    }

    /// A maildir's cur/ then new/ (tmp/ holds mail still being delivered); otherwise every
    /// mail-looking file below the directory, in sorted path order so runs are repeatable.
    static func messageFiles(in directory: String) throws(MboxParserError) -> ([String], FileOrigin) {
        let manager = FileManager.default
        let base = URL(fileURLWithPath: directory)
        let maildirParts = ["cur", "new"].filter { part in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: base.appendingPathComponent(part).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        if !maildirParts.isEmpty {
            var result: [String] = []
            for part in maildirParts {
                let dir = base.appendingPathComponent(part)
                guard let names = try? manager.contentsOfDirectory(atPath: dir.path) else {
                    throw MboxParserError(.unreadableSource, path: dir.path, reason: "cannot list maildir folder")
                }
                result += names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0).path }
            }
            return (result, .maildir)
        }
        guard let enumerator = manager.enumerator(atPath: directory) else {
            throw MboxParserError(.unreadableSource, path: directory, reason: "cannot list directory")
        }
        var relative: [String] = []
        while let item = enumerator.nextObject() as? String {
            let name = (item as NSString).lastPathComponent
            if name.hasPrefix(".") { continue }
            guard messageExtensions.contains((name as NSString).pathExtension.lowercased()) else { continue }
            var isDirectory: ObjCBool = false
            let full = base.appendingPathComponent(item).path
            if manager.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                relative.append(item)
            }
        }
        return (relative.sorted().map { base.appendingPathComponent($0).path }, .directory)
    }

    public func makeIterator() -> Iterator { Iterator(raw: rawMessages().makeIterator()) }

    /// The messages as raw bytes, unparsed: what a caller needs to hand parsing to another
    /// thread, or to keep the bytes exactly.
    public func rawMessages() -> RawMessages { RawMessages(files: files, origin: origin, options: options) }

    /// Yields parsed messages; a message that cannot be parsed yields its error.
    public struct Iterator: IteratorProtocol {
        var raw: RawMessages.Iterator

        public mutating func next() -> Result<MailMessage, MboxParserError>? {
            guard let item = raw.next() else { return nil }
            return item.flatMap { message in
                Result { () throws(MboxParserError) in
                    try MailMessage(raw: message.bytes, location: message.location, limits: raw.options.limits)
                }
            }
        }
    }

    /// The raw messages of every file of the mailbox, in order.
    public struct RawMessages: Sequence, Sendable {
        let files: [String]
        let origin: FileOrigin
        let options: Options

        public func makeIterator() -> Iterator { Iterator(files: files, origin: origin, options: options) }

        public struct Iterator: IteratorProtocol {
            let files: [String]
            let origin: FileOrigin
            let options: Options
            var index = 0
            var reader: MboxStreamReader?

            init(files: [String], origin: FileOrigin, options: Options) {
                self.files = files
                self.origin = origin
                self.options = options
            }

            public mutating func next() -> Result<RawMessage, MboxParserError>? {
                while true {
                    if let reader {
                        if let item = reader.next() { return item }
                        self.reader = nil
                    }
                    guard index < files.count else { return nil }
                    let file = files[index]
                    index += 1
                    switch Self.openDescriptor(file, origin: origin, limits: options.limits) {
                    case .success(let fd):
                        reader = MboxStreamReader(fd: fd, file: file, ownsDescriptor: file != "-",
                                                  format: options.format, limits: options.limits)
                    case .failure(let error):
                        return .failure(error)
                    }
                }
            }

            /// Opens without blocking (a FIFO with no writer would hang `open`), then lets the
            /// descriptor say what the file really is.
            static func openDescriptor(_ file: String, origin: FileOrigin, limits: ParserLimits)
                -> Result<Int32, MboxParserError> {
                if file == "-" { return .success(STDIN_FILENO) }
                let location = MessageLocation(file: file, number: 1)
                let fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
                guard fd >= 0 else {
                    let reason = String(cString: strerror(errno))
                    return .failure(MboxParserError(.unreadableSource, location: location, reason: "cannot open: \(reason)"))
                }
                var info = stat()
                guard fstat(fd, &info) == 0 else {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    return .failure(MboxParserError(.unreadableSource, location: location, reason: "cannot stat: \(reason)"))
                }
                let type = info.st_mode & S_IFMT
                let stream = type == S_IFIFO || type == S_IFSOCK
                if type != S_IFREG && (origin != .named || !stream) {
                    close(fd)
                    return .failure(MboxParserError(.unreadableSource, location: location,
                                                    reason: "\(fileKind(type)), not a regular file; skipped"))
                }
                if origin == .maildir && Int(info.st_size) > limits.maxMessageBytes {
                    close(fd)
                    return .failure(MboxParserError(.messageTooLarge, location: location,
                        reason: "message is larger than \(limits.maxMessageBytes) bytes (postfix message_size_limit); skipped"))
                }
                if type == S_IFIFO {
                    // Named by the user: opened again, blocking, to wait for its writer (a
                    // non-blocking open without one reads as empty at once). The first
                    // descriptor is closed only after: a writer it let in would otherwise
                    // meet a FIFO with no reader and die of SIGPIPE.
                    let blocking = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    guard blocking >= 0 else {
                        return .failure(MboxParserError(.unreadableSource, location: location, reason: "cannot open: \(reason)"))
                    }
                    return .success(blocking)
                }
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                return .success(fd)
            }

            static func fileKind(_ type: mode_t) -> String {
                switch type {
                case S_IFIFO: "a FIFO"
                case S_IFCHR: "a character device"
                case S_IFBLK: "a block device"
                case S_IFSOCK: "a socket"
                case S_IFDIR: "a directory"
                default: "not a file"
                }
            }
        }
    }
}
