import CurlKit
import Foundation
import MailSources
import MboxParser
import ReviewEngine

/// Where `reviewbot watch` reads new mail: an IMAP folder or a lore list.
public enum WatchSourceSpec: Sendable, Equatable {
    case imap(IMAPMailboxURL)
    /// A public-inbox list: its base URL (`https://lore.kernel.org`) and name (`netdev`).
    case lore(base: String, list: String)

    /// `imaps://user@host/Folder`, `https://lore.kernel.org/netdev/`, or a bare list name
    /// read from `[lore] url`.
    public static func parse(_ text: String, loreURL: String) throws -> WatchSourceSpec {
        let lower = text.lowercased()
        if lower.hasPrefix("imap://") || lower.hasPrefix("imaps://") {
            do { return .imap(try IMAPMailboxURL(parsing: text)) } catch {
                throw ReviewBotError("\(error)", kind: .usage)
            }
        }
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") {
            guard let url = URLComponents(string: text), let host = url.host, let scheme = url.scheme else {
                throw ReviewBotError("\(text) is not a URL", kind: .usage)
            }
            let segments = url.path.split(separator: "/").map(String.init)
            guard segments.count == 1, Self.isListName(segments[0]) else {
                throw ReviewBotError("\(text): a lore list is https://HOST/LIST/ (one path segment), e.g. https://lore.kernel.org/netdev/",
                                     kind: .usage)
            }
            let port = url.port.map { ":\($0)" } ?? ""
            return .lore(base: "\(scheme)://\(host)\(port)", list: segments[0])
        }
        guard isListName(text) else {
            throw ReviewBotError("\(text) is neither an IMAP folder (imaps://user@host/Folder) nor a lore list (https://lore.kernel.org/LIST/ or LIST)",
                                 kind: .usage)
        }
        var base = loreURL
        while base.hasSuffix("/") { base.removeLast() }
        return .lore(base: base, list: text)
    }

    /// public-inbox list names: letters, digits, `.`, `-`, `_` (`linux-sound`, `bpf`).
    static func isListName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128 && text != "all"
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// The key its cursor is stored under.
    public var key: String {
        switch self {
        case .imap(let url): "imap:\(url)"
        case .lore(let base, let list): "lore:\(base)/\(list)"
        }
    }
}

/// What one read of a source brought.
struct WatchRead: Sendable {
    var newMessages: Int
    var notes: [String] = []
}

/// Reading a source: what is new since the stored cursor goes into the state database with
/// the new cursor, in one transaction (a crash between the two loses or repeats nothing).
protocol WatchSourceReader: Sendable {
    var spec: WatchSourceSpec { get }
    func read(store: StateStore, now: Date) async throws -> WatchRead
}

extension WatchSourceReader {
    /// Each message once: parsed, kept whole when it may belong to a series, otherwise
    /// only its Message-ID. Messages without one are dropped (nothing could name them).
    static func records(_ raws: [[UInt8]], source: String, now: Date, notes: inout [String]) -> [WatchMessage] {
        var out: [WatchMessage] = []
        var seen = Set<String>()
        for raw in raws {
            guard let mail = WatchSeriesDetector.parse(Data(raw), name: source),
                  let id = mail.series.messageID, seen.insert(id).inserted else {
                notes.append("\(source): a message without a readable Message-ID was left out")
                continue
            }
            out.append(WatchMessage(messageID: id, source: source, receivedAt: now,
                                    raw: WatchSeriesDetector.isSeriesPart(mail) ? Data(raw) : nil))
        }
        return out
    }
}

/// A lore list: a conditional GET of `new.atom`; each entry not seen before that may be a
/// patch brings its whole thread (the series' other parts come with it).
struct LoreWatchReader: WatchSourceReader {
    /// Entries public-inbox puts in new.atom.
    static let feedWindow = 25

    let spec: WatchSourceSpec
    let base: String
    let list: String
    let client: LoreClient

    func read(store: StateStore, now: Date) async throws -> WatchRead {
        let cursor = try store.watchCursor(source: spec.key) ?? WatchCursor(source: spec.key)
        let poll = try await client.pollFeed(list: list, validators: LoreFeedValidators(etag: cursor.etag, lastModified: cursor.lastModified),
                                             baseURL: base)
        var updated = cursor
        updated.lastReadAt = now
        guard case .feed(let feed, let validators) = poll else {
            try store.recordWatchRead([], cursor: updated)
            return WatchRead(newMessages: 0)
        }
        updated.etag = validators.etag
        updated.lastModified = validators.lastModified
        // Oldest first, as they were posted.
        let entries = feed.entries.reversed()
        let known = try store.knownWatchMessages(entries.map(\.messageID))
        var taken = Set<String>()
        var messages: [WatchMessage] = []
        var notes: [String] = []
        // The feed holds only the newest entries (25 on public-inbox): when none of them
        // was seen before, more arrived since the last poll than it shows. Threads fetched
        // later still bring a missed patch in, but polling more often is the fix.
        if cursor.lastReadAt != nil, feed.entries.count >= LoreWatchReader.feedWindow, known.isEmpty {
            notes.append("\(spec.key): every entry of the feed is new, so some messages may have been missed; "
                         + "poll more often ([watch] poll_seconds)")
        }
        for entry in entries where !known.contains(entry.messageID) && !taken.contains(entry.messageID) {
            let subject = PatchSubject.parse(entry.title)
            guard !subject.isReply, subject.hasPatchTag else {
                // A reply or other talk: remembered by id so it is never looked at again.
                taken.insert(entry.messageID)
                messages.append(WatchMessage(messageID: entry.messageID, source: spec.key, receivedAt: now, raw: nil))
                continue
            }
            let thread = try await client.thread(LoreThreadReference(messageID: entry.messageID, list: list, baseURL: base))
            let raws = Mailbox.rawMessages(in: [UInt8](thread.mboxrd()), name: spec.key).compactMap { try? $0.get().bytes }
            for message in Self.records(raws, source: spec.key, now: now, notes: &notes)
            where !known.contains(message.messageID) && taken.insert(message.messageID).inserted {
                messages.append(message)
            }
        }
        let new = try store.recordWatchRead(messages, cursor: updated)
        return WatchRead(newMessages: new.count, notes: notes)
    }
}

/// An IMAP folder: `UID FETCH last+1:*` under the stored UIDVALIDITY; after a change of
/// UIDVALIDITY (the folder was recreated) the configured search again, every message found
/// deduplicated by Message-ID so none is reviewed twice.
struct IMAPWatchReader: WatchSourceReader, WatchSourceWaiter {
    let spec: WatchSourceSpec
    let url: IMAPMailboxURL
    let options: IMAPOptions

    func read(store: StateStore, now: Date) async throws -> WatchRead {
        var cursor = try store.watchCursor(source: spec.key) ?? WatchCursor(source: spec.key)
        var total = 0
        var notes: [String] = []
        while true {
            let read = try await IMAPFolderWatch.readNew(url, options: options, uidValidity: cursor.uidValidity,
                                                         after: cursor.lastUID)
            notes += read.notes
            if let known = cursor.uidValidity, known != read.uidValidity {
                notes.append("\(url): UIDVALIDITY changed (\(known) -> \(read.uidValidity)): the folder is read again; "
                              + "messages seen before are known by Message-ID and not reviewed again")
            }
            let messages = Self.records(read.messages.map { [UInt8]($0.bytes) }, source: spec.key, now: now, notes: &notes)
            cursor.uidValidity = read.uidValidity
            cursor.lastUID = read.lastUID
            cursor.lastReadAt = now
            total += try store.recordWatchRead(messages, cursor: cursor).count
            if !read.more { break }
        }
        return WatchRead(newMessages: total, notes: notes)
    }

    /// IDLE where the server offers it, re-issued within RFC 2177's 29 minutes; without
    /// IDLE (or after an error) the watcher's own poll interval does the work.
    func watchForChanges(store: StateStore, stop: RunStop, log: WatchLog, fallback: TimeInterval,
                         wake: @escaping @Sendable () -> Void) async {
        var failures = 0
        while stop.requested == nil, !Task.isCancelled {
            do {
                let cursor = try store.watchCursor(source: spec.key)
                let wait = try await IMAPFolderWatch.waitForChange(url, options: options, seconds: IMAPFolderWatch.idleRenewal,
                                                                   uidValidity: cursor?.uidValidity, afterUID: cursor?.lastUID,
                                                                   stopped: { stop.requested != nil })
                failures = 0
                switch wait {
                case .changed:
                    wake()
                    // Give the watcher's read its turn before looking again.
                    try? await Task.sleep(for: .seconds(min(1, fallback)))
                case .quiet: continue
                case .unsupported:
                    log.info("\(url): the server has no IDLE; polling every \(Int(fallback)) s")
                    return
                }
            } catch {
                failures += 1
                let delay = min(Watcher.maxBackoff, fallback * pow(2, Double(min(failures, 30))))
                log.warn("\(url): IDLE: \(error); trying again in \(Int(delay.rounded(.up))) s")
                try? await Task.sleep(for: .seconds(delay))
            }
        }
    }
}
