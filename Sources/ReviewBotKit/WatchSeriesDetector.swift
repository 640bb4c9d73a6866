import Foundation
import MboxParser
import ReviewEngine

/// Turns the mail watch mode has kept into series to review, and decides for each whether
/// it waits (incomplete), is queued, or is skipped. Pure: the state comes in, decisions go
/// out, and `Watcher` stores them.
public enum WatchSeriesDetector {
    /// A message received, parsed once.
    public struct Mail: Sendable {
        public var series: SeriesMessage
        public var listID: String?
        /// `Auto-Submitted` other than `no`, or a known robot sender.
        public var isBot: Bool
    }

    /// Known robots that post to lists (build and fuzz reports, patchwork notices) but
    /// send no patch anyone should review.
    static let botAddresses: Set<String> = [
        "lkp@intel.com", "syzbot@syzkaller.appspotmail.com", "patchwork-bot+netdevbpf@kernel.org",
        "patchwork-bot@kernel.org", "noreply@ellerman.id.au", "kernelci.org@gmail.com",
    ]

    public static func parse(_ raw: Data, name: String) -> Mail? {
        guard let mail = try? MailMessage(raw: [UInt8](raw), location: MessageLocation(file: name, number: 1)) else {
            return nil
        }
        let message = SeriesMessage(mail)
        let auto = mail.header("auto-submitted")?.trimmingCharacters(in: .whitespaces).lowercased()
        let sender = message.from?.email.lowercased() ?? ""
        let isBot = (auto != nil && auto != "no") || botAddresses.contains(sender) || sender.hasPrefix("syzbot+")
            || sender.hasPrefix("patchwork-bot")
        return Mail(series: message, listID: mail.header("list-id").map(WatchFilter.listID), isBot: isBot)
    }

    /// Whether a message may be part of a series to review: a patch or a cover letter,
    /// not a reply, a pull request or robot mail. Only these keep their bytes.
    public static func isSeriesPart(_ mail: Mail) -> Bool {
        let subject = PatchSubject.parse(mail.series.subject)
        guard !subject.isReply, !subject.isPullRequest, !mail.isBot else { return false }
        return mail.series.hasDiff || subject.hasPatchTag
    }

    /// One posting found among the kept mail.
    public struct Found: Sendable {
        public var entry: SeriesCatalog.Entry
        public var identity: SeriesIdentity
        public var messageIDs: [String]
        public var candidate: WatchFilter.Candidate
        public var contentHash: String
    }

    /// Every posting of the kept mail, each as the newest revision present.
    public static func postings(_ mails: [Mail]) -> [Found] {
        let byID = Dictionary(mails.compactMap { m in m.series.messageID.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
        let catalog = SeriesCatalog(messages: mails.map(\.series))
        return catalog.entries.map { entry in
            let series = entry.series
            let first = series.patches.first?.message
            let identity = SeriesIdentity.make(
                changeID: series.cover?.message.patch?.changeID ?? first?.patch?.changeID, title: entry.title,
                authorEmail: (series.cover?.message.author ?? first?.author)?.email ?? "", revision: series.revision)
            let messages = (series.cover.map { [$0.message] } ?? []) + series.patches.map(\.message)
            let ids = messages.compactMap(\.messageID)
            let candidate = WatchFilter.Candidate(
                subject: entry.subject, authorEmail: (series.cover?.message.author ?? first?.author)?.email,
                listIDs: ids.compactMap { byID[$0]?.listID },
                recipients: messages.flatMap { ($0.to + $0.cc).map(\.email) },
                paths: series.patches.flatMap { $0.message.patch?.files.map(\.path) ?? [] })
            return Found(entry: entry, identity: identity, messageIDs: ids, candidate: candidate,
                         contentHash: contentHash(series))
        }
    }

    /// SHA-256 of what the series changes: each patch's commit message and diff lines,
    /// not its subject prefix, date or headers, so a `[PATCH RESEND]` or an identical
    /// re-post hashes the same.
    public static func contentHash(_ series: PatchSeries) -> String {
        var parts: [String] = []
        for item in series.patches {
            parts.append("title \(item.subject.title)")
            guard let patch = item.message.patch else { continue }
            parts.append(patch.commitMessage)
            for file in patch.files {
                parts.append("file \(file.oldPath ?? "") \(file.newPath ?? "")")
                for hunk in file.hunks {
                    parts.append("@@ \(hunk.oldStart),\(hunk.oldCount) \(hunk.newStart),\(hunk.newCount)")
                    parts += hunk.lines.map { "\($0.kind) \($0.text)" }
                }
            }
        }
        return WatchSeriesRecord.contentHash(of: parts)
    }

    /// What to do with one posting, given what the state database knows.
    public enum Decision: Sendable, Equatable {
        /// Already decided (queued, reviewed, skipped, ...): a later reply or a part seen again.
        case known
        /// Still incomplete within the settle time: keep (or start) waiting.
        case pending
        case queue(note: String?)
        case skip(reason: String)
    }

    /// - Parameters:
    ///   - holding: records holding any of its messages (an earlier look at this posting).
    ///   - sameRevision: other records of the same series and revision (an earlier posting).
    ///   - sameContent: a record queued, running or reviewed with the same content hash.
    public static func decide(_ found: Found, holding: [WatchSeriesRecord], sameRevision: [WatchSeriesRecord],
                              sameContent: WatchSeriesRecord?, firstSeen: Date, now: Date, settle: TimeInterval,
                              filter: WatchFilter) -> Decision {
        if holding.contains(where: { $0.state != .pending }) { return .known }
        let series = found.entry.series
        if let earlier = sameRevision.first(where: { $0.state != .pending && $0.state != .failed }) {
            let what = series.isResend ? "a resend" : "a re-post"
            return .skip(reason: "\(what) of \(earlier.title) v\(earlier.revision), already \(earlier.state.rawValue)")
        }
        if !series.isComplete, now.timeIntervalSince(firstSeen) < settle { return .pending }
        if let sameContent {
            let what = series.isResend ? "a resend" : "a re-post"
            return .skip(reason: "\(what): the same changes as \(sameContent.title) v\(sameContent.revision)")
        }
        if let reason = filter.rejection(found.candidate) { return .skip(reason: reason) }
        let missing = series.missing.map { "\($0)/\(series.total)" }.joined(separator: ", ")
        return .queue(note: series.isComplete ? nil : "settled incomplete, missing \(missing)")
    }
}
