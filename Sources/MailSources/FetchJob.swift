import CurlKit
import Foundation

/// `reviewbot fetch`: a source to an mboxrd file, optionally asking lore for newer revisions.
public struct FetchJob: Sendable {
    public var source: String
    public var output: String
    public var lore: LoreConfiguration
    public var imap: IMAPOptions
    public var checkNewer: Bool

    public init(source: String, output: String, lore: LoreConfiguration, imap: IMAPOptions, checkNewer: Bool) {
        self.source = source
        self.output = output
        self.lore = lore
        self.imap = imap
        self.checkNewer = checkNewer
    }

    /// Fetches, writes `output` (`-` for stdout), and returns lines to tell the user.
    public func run(client: CurlClient = CurlClient()) async throws -> [String] {
        let spec = try SourceSpec.parse(source)
        let loreClient = LoreClient(client: client, configuration: lore)
        let fetched = try await MailFetcher(lore: loreClient, imap: imap).fetch(spec)
        let mbox = fetched.mboxrd()
        if output == "-" {
            FileHandle.standardOutput.write(mbox)
        } else {
            do {
                try mbox.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw MailSourceError.usage("cannot write \(output): \(error.localizedDescription)")
            }
        }
        var lines = fetched.notes
        lines.append("wrote \(fetched.parts.count == 1 && fetched.parts[0].kind == .mbox ? "thread" : "\(fetched.parts.count) messages") to \(output)")
        if checkNewer {
            guard case .lore(let reference) = spec else {
                throw MailSourceError.usage("--check-newer needs a lore source (a message-id or lore URL)")
            }
            let newer = try await loreClient.newerRevisions(of: mbox, list: reference.list, baseURL: reference.baseURL)
            if newer.isEmpty {
                lines.append("no newer revision found on \(loreClient.base(for: reference.baseURL))")
            } else {
                lines += newer.map { "newer revision v\($0.revision): \($0.subject) <\($0.messageID)>" }
            }
        }
        return lines
    }
}
