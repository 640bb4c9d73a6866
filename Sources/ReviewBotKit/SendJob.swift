import CurlKit
import Foundation
import MailSources
import ReviewEngine

/// Hands one message to a mail server. `SMTPTransport` is the real one; tests may wrap it.
public protocol MailTransport: Sendable {
    /// The server, for the ledger and for messages: host and port, never a password.
    var destination: String { get }
    /// Connects and logs in without sending, so a TLS or login problem shows before the
    /// user is asked about the first draft.
    func check() async throws
    /// Sends `message`; `progress` hears the moment the server accepts it, before the
    /// session is closed.
    func send(_ message: Data, from sender: String, to recipients: [String],
              progress: @escaping @Sendable (SMTPDelivery) -> Void) async throws
}

/// Submission through libcurl's SMTP.
public struct SMTPTransport: MailTransport {
    public let client: CurlClient
    public let server: SMTPServer

    public init(client: CurlClient, server: SMTPServer) {
        self.client = client
        self.server = server
    }

    public var destination: String { server.host }

    public func check() async throws {
        try await client.checkMailServer(server)
    }

    public func send(_ message: Data, from sender: String, to recipients: [String],
                     progress: @escaping @Sendable (SMTPDelivery) -> Void) async throws {
        try await client.sendMail(message, from: sender, to: recipients, via: server, progress: progress)
    }
}

/// What the user answered for one draft.
public enum SendDecision: Sendable, Equatable {
    case send
    case skip
    /// Send nothing more in this run.
    case quit
}

/// One draft put to the user, with what they should know before answering.
public struct SendQuestion: Sendable {
    public var draft: OutgoingDraft
    /// Warnings shown above the question: another reply to this patch went out already,
    /// or an earlier attempt to send this one did not finish.
    public var warnings: [String]
}

/// How each draft gets the user's go-ahead.
public enum SendConfirmation: Sendable {
    /// `--yes`: the user approved every draft in DIR up front. Drafts that come with a
    /// warning are not sent: that needs a person to read the warning.
    case assumeYes
    /// Ask about each draft, in order.
    case ask(@Sendable (SendQuestion) async -> SendDecision)
}

/// `reviewbot send DIR`: the drafts of DIR's latest review (as its manifest lists them),
/// in name order, through SMTP, each only after the user's go-ahead, and never twice: the
/// sent-mail ledger in the state database is checked first and written the moment the
/// server answers the message with 250, before the session ends.
public struct SendJob: Sendable {
    public var directory: URL
    public var confirmation: SendConfirmation
    public var ledger: SentLedger
    /// The time written into each mail's Date header, read as each one goes out.
    public var clock: @Sendable () -> Date

    public init(directory: URL, confirmation: SendConfirmation, ledger: SentLedger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = directory
        self.confirmation = confirmation
        self.ledger = ledger
        self.clock = clock
    }

    /// What happened to each draft.
    public struct Report: Sendable {
        public struct Failure: Sendable {
            public var file: String
            public var reason: String
        }

        public var sent: [String] = []
        public var declined: [String] = []
        /// In the ledger already (this draft, or the same text for the same patch): not sent again.
        public var alreadySent: [String] = []
        /// Not sent without a person's go-ahead: another reply to the patch went out, or
        /// an earlier attempt did not finish (`--yes` skips these).
        public var held: [String] = []
        public var failed: [Failure] = []
        /// The message was on its way when the connection failed: the server may have it.
        /// Left claimed in the ledger, so it is not sent again without a person deciding.
        public var unknown: [String] = []
        /// Neither sent nor asked about: the user quit, or the server stopped working.
        public var notAttempted: [String] = []
        /// `.eml` files in DIR that are not drafts of its latest review.
        public var notInReview: [String] = []
    }

    /// Reads and checks every draft first (a broken one stops the run before anything is
    /// sent), checks the server, then asks and sends one by one. `say` receives a line per
    /// draft sent, declined or skipped; failures are in the report.
    public func run(transport: some MailTransport, say: @Sendable (String) -> Void) async throws -> Report {
        try ledger.importLegacyFile(in: directory)
        let (manifest, drafts, strays) = try DraftDirectory(directory).readLatestReview()
        var report = Report()
        report.notInReview = strays
        say("sending the drafts of the latest review in \(directory.path): \(manifest.review.description), written \(manifest.writtenAt.formatted(.iso8601)) (\(drafts.count) draft\(drafts.count == 1 ? "" : "s"))")
        for stray in strays { say("not sent: \(stray) is not a draft of that review") }

        var checked = false
        for (index, draft) in drafts.enumerated() {
            var warnings: [String] = []
            switch try ledger.status(of: draft, channel: .smtp) {
            case .new:
                break
            case .sent(let record):
                report.alreadySent.append(draft.file)
                say("already sent \(draft.file) \(record.whenAndWhere) (Message-ID \(record.messageID)): skipped")
                continue
            case .inProgress(let record):
                report.alreadySent.append(draft.file)
                say("\(draft.file) is being sent by another reviewbot (process \(record.processID)): skipped")
                continue
            case .unknown(let record):
                warnings.append("an attempt to send this draft started \(record.whenAndWhere) and never heard back from the server: it may have been delivered; check your sent mail or the list archive first")
            }
            for other in try ledger.otherReplies(to: draft, channel: .smtp) {
                warnings.append("another reply to this patch was already sent \(other.whenAndWhere) (Message-ID \(other.messageID))")
            }
            if !checked {
                // TLS, certificate and login, before anyone is asked anything.
                try await transport.check()
                checked = true
            }
            switch confirmation {
            case .assumeYes:
                if !warnings.isEmpty {
                    report.held.append(draft.file)
                    say("not sent: \(draft.file): \(warnings.joined(separator: "; ")); run without --yes to decide")
                    continue
                }
            case .ask(let ask):
                switch await ask(SendQuestion(draft: draft, warnings: warnings)) {
                case .send: break
                case .skip:
                    report.declined.append(draft.file)
                    say("not sent: \(draft.file)")
                    continue
                case .quit:
                    report.notAttempted += drafts[index...].map(\.file)
                    return report
                }
            }
            switch try await send(draft, through: transport, replacingUnknown: !warnings.isEmpty) {
            case .sent(let note):
                report.sent.append(draft.file)
                say("sent \(draft.file) to \(draft.recipients.joined(separator: ", ")) (Message-ID \(draft.messageID))" + (note.map { "; \($0)" } ?? ""))
            case .skipped(let record):
                report.alreadySent.append(draft.file)
                say("already sent \(draft.file) \(record.whenAndWhere): skipped")
            case .failed(let reason, let stop):
                report.failed.append(.init(file: draft.file, reason: reason))
                if stop {
                    report.notAttempted += drafts[(index + 1)...].map(\.file)
                    return report
                }
            case .unknown(let reason):
                report.unknown.append(draft.file)
                report.failed.append(.init(file: draft.file, reason: reason))
                report.notAttempted += drafts[(index + 1)...].map(\.file)
                return report
            }
        }
        return report
    }

    enum Outcome {
        case sent(note: String?)
        case skipped(SentMailRecord)
        case failed(String, stop: Bool)
        case unknown(String)
    }

    /// Claims the draft in the ledger, sends it, and records the server's 250 the moment it
    /// arrives. No retry: after a timeout the server may have accepted the message, and a
    /// second attempt could post it twice.
    func send(_ draft: OutgoingDraft, through transport: some MailTransport, replacingUnknown: Bool) async throws -> Outcome {
        let record = SentMailRecord(channel: .smtp, destination: transport.destination, messageID: draft.messageID,
                                    patchMessageID: draft.patchMessageID, contentHash: draft.contentHash,
                                    file: draft.file, directory: directory.path, recipients: draft.recipients,
                                    startedAt: clock())
        // The user read the warning and said send: an unfinished earlier claim gives way.
        if replacingUnknown { try ledger.store.releaseClaim(channel: .smtp, messageID: draft.messageID) }
        if let existing = try ledger.store.claimSend(record) { return .skipped(existing) }
        let state = DeliveryLock(DeliveryState())
        let store = ledger.store
        let messageID = draft.messageID
        do {
            try await transport.send(draft.messageToSend(date: clock()), from: draft.sender, to: draft.recipients) { event in
                switch event {
                case .dataStarted:
                    state.withLock { $0.dataStarted = true }
                case .accepted:
                    // Written here, on the transfer's thread, before libcurl sends QUIT.
                    let error = Result { try store.markAccepted(channel: .smtp, messageID: messageID) }.failure
                    state.withLock { $0.accepted = true; $0.recordError = error }
                }
            }
        } catch {
            let seen = state.withLock { $0 }
            if seen.accepted {
                try Self.check(seen.recordError, draft)
                return .sent(note: "the server took it, then did not end the session cleanly (\(error))")
            }
            if seen.dataStarted {
                return .unknown("the connection failed while the server had the message (\(error)); it may have been delivered, so it is not sent again without asking")
            }
            try store.releaseClaim(channel: .smtp, messageID: draft.messageID)
            return .failed("\(error)", stop: !Self.affectsOnlyThisMessage(error))
        }
        let seen = state.withLock { $0 }
        if !seen.accepted { try store.markAccepted(channel: .smtp, messageID: draft.messageID) }
        try Self.check(seen.recordError, draft)
        return .sent(note: nil)
    }

    struct DeliveryState: Sendable {
        var dataStarted = false
        var accepted = false
        var recordError: (any Error)?
    }

    static func check(_ recordError: (any Error)?, _ draft: OutgoingDraft) throws {
        guard let recordError else { return }
        throw ReviewBotError("sent \(draft.file), but could not record it in the state database: \(recordError); do not send \(draft.messageID) again",
                             kind: .unavailable)
    }

    /// A server that refused this message (a recipient, its size) may take the next one;
    /// one that cannot be reached or refused the login will refuse them all.
    static func affectsOnlyThisMessage(_ error: any Error) -> Bool {
        (error as? CurlError)?.kind == .protocolFailure
    }
}

/// The delivery state shared with libcurl's thread.
final class DeliveryLock<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

extension Result where Failure == any Error {
    var failure: (any Error)? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
