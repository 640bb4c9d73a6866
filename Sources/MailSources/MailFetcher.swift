import CurlKit
import Foundation

/// Fetches any `SourceSpec` into raw mail.
public struct MailFetcher: Sendable {
    public var lore: LoreClient
    public var imap: IMAPOptions
    /// Reads standard input for `-`.
    public var readStandardInput: @Sendable () -> Data

    public init(lore: LoreClient, imap: IMAPOptions = IMAPOptions(),
                readStandardInput: @escaping @Sendable () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) {
        self.lore = lore
        self.imap = imap
        self.readStandardInput = readStandardInput
    }

    public func fetch(_ spec: SourceSpec) async throws -> FetchedMail {
        switch spec {
        case .standardInput:
            let read = readStandardInput
            let data = try await onDedicatedThread { read() }
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
    static func readPath(_ path: String) throws -> FetchedMail {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MailSourceError.usage("no such file: \(path)") }
        func read(_ file: String) throws -> Data {
            do { return try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw MailSourceError("cannot read \(file): \(error.localizedDescription)")
            }
        }
        guard isDirectory.boolValue else { return FetchedMail(parts: [part(try read(path), origin: path)]) }
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
                if isMaildir || ["eml", "mbox", "mbx", "patch", "txt"].contains(URL(fileURLWithPath: name).pathExtension) {
                    parts.append(part(try read(file), origin: file))
                } else {
                    notes.append("skipped \(file): not a mail file (.eml, .mbox, .patch)")
                }
            }
        }
        guard !parts.isEmpty else { throw MailSourceError.usage("no mail files in \(path)") }
        return FetchedMail(parts: parts, notes: notes)
    }
}
