import ArgumentParser
import Foundation
import ReviewBotKit

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Write a source (message-id, lore URL, imap:// folder, file) as an mboxrd file.")

    @Argument(help: "A file, -, a message-id, a lore or patch.msgid.link URL, or imaps://user@host/Mailbox.")
    var source: String

    @Option(name: .shortAndLong, help: "Where to write the mbox (- for standard output).")
    var output: String

    @Option(name: .customLong("lore-url"), help: "The public-inbox server to fetch from.")
    var loreURL: String = LoreConfiguration.defaultBaseURL

    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the thread cache.")
    var noCache = false

    @Flag(name: .customLong("check-newer"), help: "Ask lore's search for newer revisions of the series.")
    var checkNewer = false

    @Flag(name: .customLong("imap-allow-plaintext"), help: "Allow imap:// without TLS (loopback test servers).")
    var imapAllowPlaintext = false

    @Option(name: .customLong("imap-days"), help: "How many days back the IMAP search looks.")
    var imapDays: Int = IMAPOptions.defaultDays

    @Option(name: .customLong("imap-search"), help: "A raw IMAP search instead of recent PATCH subjects.")
    var imapSearch: String?

    @Option(name: .customLong("ca-file"), help: "Trust only the certificates in this PEM file (TLS).")
    var caFile: String?

    @Option(name: .customLong("timeout"), help: "Seconds before a silent server is given up on.")
    var timeout: Double = 30

    func run() async throws {
        let tls = TLSOptions(caFile: caFile)
        let job = FetchJob(
            source: source, output: output,
            lore: LoreConfiguration(baseURL: loreURL,
                                    timeouts: TransferTimeouts(connect: min(timeout, 10), total: timeout * 4,
                                                               lowSpeedBytesPerSecond: 1, lowSpeedSeconds: Int(timeout.rounded(.up))),
                                    cacheDirectory: noCache ? nil : LoreConfiguration.defaultCacheDirectory(), tls: tls),
            imap: IMAPOptions(allowPlaintext: imapAllowPlaintext, tls: tls, timeout: timeout,
                              search: imapSearch.map { .raw($0) } ?? .recentPatches(days: imapDays)),
            checkNewer: checkNewer)
        do {
            for line in try await job.run() { printError(line) }
        } catch {
            printError("reviewbot: \(error)")
            throw ExitCode.failure
        }
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
