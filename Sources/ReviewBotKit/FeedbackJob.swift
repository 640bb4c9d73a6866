import Foundation
import MboxParser
import ReviewEngine

/// `reviewbot feedback`: what the maintainer did with the drafts, per finding, recorded by
/// fingerprint in the state database. A rejected finding is never raised again for the
/// same code; `reviewbot stats` counts the verdicts per guide, pattern file and category.
public struct FeedbackJob: Sendable {
    public var configuration: Configuration
    public var flags: SourceFlags
    public var environment: [String: String]

    public init(configuration: Configuration, flags: SourceFlags = SourceFlags(), environment: [String: String]) {
        self.configuration = configuration
        self.flags = flags
        self.environment = environment
    }

    /// Where what was sent is read from.
    public enum SentSource: Sendable, Equatable {
        /// The `.eml` drafts in the output directory, as the maintainer edited them.
        case draftFiles
        /// The Sent folder over IMAP (`imaps://user@host/Sent`), found by `In-Reply-To`.
        case imap(String)
        /// The reply on lore, found in the patch's thread.
        case lore
    }

    /// One draft of the directory and what became of its findings.
    public struct DraftResult: Sendable {
        public var file: String
        public var messageID: String
        public var results: [FeedbackComparison.Result]
        /// Why the draft got no verdicts, when it got none.
        public var note: String?
    }

    public struct DirectoryReport: Sendable {
        public var drafts: [DraftResult]
        public var notes: [String]

        public func count(_ verdict: FeedbackVerdict) -> Int {
            drafts.reduce(0) { $0 + $1.results.filter { $0.verdict == verdict }.count }
        }

        /// One line per draft, then the totals.
        public var listing: String {
            var lines: [String] = []
            for draft in drafts {
                if let note = draft.note {
                    lines.append("\(draft.file): \(note)")
                    continue
                }
                lines.append("\(draft.file): " + FeedbackVerdict.allCases.map { verdict in
                    "\(draft.results.filter { $0.verdict == verdict }.count) \(verdict.rawValue)"
                }.joined(separator: ", "))
                for result in draft.results {
                    let percent = Int((result.similarity * 100).rounded())
                    lines.append("  \(result.verdict.rawValue) \(result.finding.fingerprint.prefix(12)) "
                        + "\(result.finding.category) in \(TerminalSafe.line(result.finding.file)) (\(percent)% of its words sent)")
                }
            }
            lines += notes
            lines.append("recorded: \(count(.accepted)) accepted, \(count(.edited)) edited, \(count(.rejected)) rejected")
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Compares every draft of `directory` that carried findings with what was sent, and
    /// records a verdict per finding.
    public func compare(directory: URL, sent: SentSource, store: StateStore, date: Date = Date()) async throws -> DirectoryReport {
        let drafts = try DraftFiles.list(in: directory)
        guard !drafts.isEmpty else {
            throw ReviewBotError("no drafts in \(directory.path): give the directory `reviewbot review --out` wrote")
        }
        var report = DirectoryReport(drafts: [], notes: [])
        let sentReplies = try await sentBodies(for: drafts, from: sent)
        for draft in drafts {
            let findings = try store.keptFindings(draftMessageID: draft.messageID)
            var result = DraftResult(file: draft.name, messageID: draft.messageID, results: [])
            guard !findings.isEmpty else {
                result.note = "no finding of this draft is in the state database (a cover-letter reply, or "
                    + "reviewed with another state directory)"
                report.drafts.append(result)
                continue
            }
            let body: String?
            switch sent {
            case .draftFiles: body = draft.body
            case .imap, .lore: body = draft.patchMessageID.flatMap { sentReplies[$0] }
            }
            guard let body else {
                result.note = draft.body == nil
                    ? "the draft is gone and no sent copy was found: nothing recorded (use --reject by hand)"
                    : "no sent reply to \(draft.patchMessageID.map { "<\($0)>" } ?? "the patch") was found: nothing recorded"
                report.drafts.append(result)
                continue
            }
            result.results = FeedbackComparison.compare(findings, sentBody: body)
            for item in result.results {
                try store.recordFeedback(FindingFeedback(
                    fingerprint: item.finding.fingerprint, verdict: item.verdict, source: sent.feedbackSource,
                    draftMessageID: draft.messageID, similarity: item.similarity, sentText: item.sentText,
                    recordedAt: date))
            }
            report.drafts.append(result)
        }
        return report
    }

    /// The text of the reviewer's sent reply to each patch the drafts answer, by the
    /// patch's Message-ID.
    func sentBodies(for drafts: [DraftFiles.Draft], from sent: SentSource) async throws -> [String: String] {
        let patches = Set(drafts.compactMap(\.patchMessageID))
        guard !patches.isEmpty else { return [:] }
        let reviewer = try configuration.reviewer(environment: environment).email.lowercased()
        var messages: [SeriesMessage] = []
        switch sent {
        case .draftFiles:
            return [:]
        case .imap(let url):
            let ids = try patches.sorted().map(DraftFiles.checkedMessageID)
            var reader = SourceReader(configuration: configuration, flags: flags, environment: environment)
            reader.flags.imapSearch = Self.inReplyToSearch(ids)
            messages = try await reader.seriesMessages(url).messages
        case .lore:
            let reader = SourceReader(configuration: configuration, flags: flags, environment: environment)
            for id in patches.sorted() {
                messages += try await reader.seriesMessages(try DraftFiles.checkedMessageID(id)).messages
            }
        }
        var bodies: [String: String] = [:]
        for message in messages {
            guard let parent = message.inReplyTo, patches.contains(parent),
                  message.from?.email.lowercased() == reviewer else { continue }
            // The newest reply wins: a resend replaces a first attempt.
            bodies[parent] = message.bodyText
        }
        return bodies
    }

    /// An IMAP search for replies to any of `ids`: `HEADER In-Reply-To` terms joined by
    /// IMAP's prefix `OR`. The ids are checked to hold no quote, backslash or control
    /// character, so none can end the quoted string.
    static func inReplyToSearch(_ ids: [String]) -> String {
        let terms = ids.map { "HEADER In-Reply-To \"<\($0)>\"" }
        return String(repeating: "OR ", count: max(0, terms.count - 1)) + terms.joined(separator: " ")
    }
}

extension FeedbackJob.SentSource {
    var feedbackSource: FeedbackSource {
        switch self {
        case .draftFiles: .draftFile
        case .imap: .imap
        case .lore: .lore
        }
    }
}

/// The reply drafts of an output directory.
enum DraftFiles {
    struct Draft: Sendable {
        var name: String
        /// Without angle brackets.
        var messageID: String
        var patchMessageID: String?
        /// The decoded text body as the maintainer left it; nil when the file is gone.
        var body: String?
    }

    /// Drafts larger than this are not read: a reply to one patch quotes part of it.
    static let maxDraftBytes = 4 * 1_024 * 1_024

    /// Every `NNNN.eml` of `directory`, in name order.
    static func list(in directory: URL) throws -> [Draft] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".eml") }.sorted()
        } catch {
            throw ReviewBotError("cannot read \(directory.path): \(error.localizedDescription)")
        }
        return try names.compactMap { name -> Draft? in
            let url = directory.appendingPathComponent(name)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= maxDraftBytes else {
                throw ReviewBotError("\(url.path) is larger than \(maxDraftBytes) bytes; it is not a draft reviewbot wrote")
            }
            let data = try Data(contentsOf: url)
            let mail = try? MailMessage(raw: [UInt8](data), location: MessageLocation(file: url.path, number: 1))
            guard let mail, let id = mail.messageID, !id.isEmpty else { return nil }
            return Draft(name: name, messageID: id, patchMessageID: mail.inReplyTo,
                         body: SeriesMessage(mail).bodyText)
        }
    }

    /// A Message-ID from a draft's header, checked before it goes into an IMAP search or a
    /// lore URL: printable ASCII without quotes, backslashes or spaces.
    static func checkedMessageID(_ id: String) throws -> String {
        guard !id.isEmpty, id.utf8.count <= 998,
              id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else {
            throw ReviewBotError("the Message-ID \(id.debugDescription) cannot be searched for; edit the draft's "
                + "In-Reply-To, or give the verdicts by hand with --accept/--reject")
        }
        return id
    }
}

/// Text from strangers on one terminal line (until the mail work's `TerminalText` is here).
enum TerminalSafe {
    static func line(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            let category = scalar.properties.generalCategory
            return category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator ? "?" : Character(scalar)
        })
    }
}
