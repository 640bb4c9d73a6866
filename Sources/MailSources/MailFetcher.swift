import CurlKit
import Foundation

/// Fetches any `SourceSpec` into raw mail.
public struct MailFetcher: Sendable {
    public var lore: LoreClient
    public var imap: IMAPOptions
    /// Reads standard input for `-`.
    public var readStandardInput: @Sendable () throws -> Data

    public init(lore: LoreClient, imap: IMAPOptions = IMAPOptions(),
                readStandardInput: @escaping @Sendable () throws -> Data = MailFetcher.readStandardInput) {
        self.lore = lore
        self.imap = imap
        self.readStandardInput = readStandardInput
    }

    /// Standard input, at most `LocalFile.maxFileBytes`.
    public static func readStandardInput() throws -> Data {
        do { return try LocalFile.readAll(STDIN_FILENO, limit: LocalFile.maxFileBytes, name: "standard input") } catch {
            throw MailSourceError("\(error)")
        }
    }

    public func fetch(_ spec: SourceSpec) async throws -> FetchedMail {
        switch spec {
        case .standardInput:
            let read = readStandardInput
            let data = try await onDedicatedThread { try read() }
            return FetchedMail(parts: [Self.part(data, origin: "-")])
        case .path(let path):
            return try Self.readPath(path)
        case .lore(let reference):
            return try await lore.thread(reference)
        case .imap(let url):
            return try await IMAPMailbox.fetch(url, options: imap)
        }
    }

    /// An mbox if it starts with a `From ` line, else one message.
    static func part(_ data: Data, origin: String) -> FetchedMail.Part {
        .init(kind: data.starts(with: Data("From ".utf8)) ? .mbox : .message, bytes: data, origin: origin)
    }

    /// A file, a maildir (`cur/`, `new/`) or a directory of mail files, in name order.
    /// Entries of a directory are read only when they are regular files (a FIFO or a link
    /// to a device is skipped and named in the notes), each within its size limit.
    static func readPath(_ path: String) throws -> FetchedMail {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MailSourceError.usage("no such file: \(path)") }
        guard isDirectory.boolValue else {
            do {
                return FetchedMail(parts: [part(try LocalFile.read(path, limit: LocalFile.maxFileBytes, regularOnly: false),
                                                origin: path)])
            } catch {
                throw MailSourceError("\(error)")
            }
        }
        let root = URL(fileURLWithPath: path)
        let isMaildir = ["cur", "new"].contains { fm.fileExists(atPath: root.appendingPathComponent($0).path) }
        let folders = isMaildir ? ["cur", "new"].map { root.appendingPathComponent($0) } : [root]
        var parts: [FetchedMail.Part] = []
        var notes: [String] = []
        for folder in folders {
            let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            for name in names where !name.hasPrefix(".") {
                let file = folder.appendingPathComponent(name).path
                var isSub: ObjCBool = false
                guard fm.fileExists(atPath: file, isDirectory: &isSub), !isSub.boolValue else { continue }
                guard isMaildir || ["eml", "mbox", "mbx", "patch", "txt"].contains(URL(fileURLWithPath: name).pathExtension) else {
                    notes.append("skipped \(file): not a mail file (.eml, .mbox, .patch)")
                    continue
                }
                do {
                    let limit = isMaildir ? LocalFile.maxMessageFileBytes : LocalFile.maxFileBytes
                    parts.append(part(try LocalFile.read(file, limit: limit, regularOnly: true), origin: file))
                } catch {
                    notes.append("\(error)")
                }
            }
        }
        guard !parts.isEmpty else {
            throw MailSourceError.usage("no mail files in \(path)" + (notes.isEmpty ? "" : ": " + notes.joined(separator: "; ")))
        }
        return FetchedMail(parts: parts, notes: notes)
    }
}
