import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Mailbox {
    /// The messages of an mbox held in memory (lore search results, a fetched thread),
    /// read by the same streaming reader as files: the bytes go through an anonymous
    /// temporary file, which is gone when the call returns.
    public static func messages(in bytes: [UInt8], name: String, options: Options = Options())
        -> [Result<MailMessage, MboxParserError>]
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
        var results: [Result<MailMessage, MboxParserError>] = []
        while let item = reader.next() {
            switch item {
            case .failure(let error): results.append(.failure(error))
            case .success(let raw):
                do {
                    results.append(.success(try MailMessage(raw: raw.bytes, location: raw.location, limits: options.limits)))
                } catch {
                    results.append(.failure(error))
                }
            }
        }
        return results
    }
}
