import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Mailbox {
    /// The raw messages of an mbox held in memory, split by the same streaming reader as
    /// files: the bytes go through an anonymous temporary file, gone when the call returns.
    public static func rawMessages(in bytes: [UInt8], name: String, options: Options = Options())
        -> [Result<RawMessage, MboxParserError>]
    {
        guard let file = tmpfile() else {
            return [.failure(MboxParserError(.unreadableSource, path: name, reason: "cannot create a temporary file"))]
        }
        defer { fclose(file) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, file) }
        fflush(file)
        guard written == bytes.count else {
            return [.failure(MboxParserError(.unreadableSource, path: name, reason: "cannot spool \(bytes.count) bytes"))]
        }
        let fd = fileno(file)
        _ = lseek(fd, 0, SEEK_SET)
        let reader = MboxStreamReader(fd: fd, file: name, ownsDescriptor: false, format: options.format,
                                      limits: options.limits)
        var results: [Result<RawMessage, MboxParserError>] = []
        while let item = reader.next() { results.append(item) }
        return results
    }

    /// The messages of an mbox held in memory (lore search results, a fetched thread).
    public static func messages(in bytes: [UInt8], name: String, options: Options = Options())
        -> [Result<MailMessage, MboxParserError>]
    {
        rawMessages(in: bytes, name: name, options: options).map { item in
            item.flatMap { raw in
                Result { () throws(MboxParserError) in
                    try MailMessage(raw: raw.bytes, location: raw.location, limits: options.limits)
                }
            }
        }
    }
}
