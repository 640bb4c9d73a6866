import CurlKit
import Foundation

/// Hands one message to a mail server. `SMTPTransport` is the real one; tests may wrap it.
public protocol MailTransport: Sendable {
    func send(_ message: Data, from sender: String, to recipients: [String]) async throws
}

/// Submission through libcurl's SMTP.
public struct SMTPTransport: MailTransport {
    public let client: CurlClient
    public let server: SMTPServer

    public init(client: CurlClient, server: SMTPServer) {
        self.client = client
        self.server = server
    }

    public func send(_ message: Data, from sender: String, to recipients: [String]) async throws {
        try await client.sendMail(message, from: sender, to: recipients, via: server)
    }
}

/// What the user answered for one draft.
public enum SendDecision: Sendable, Equatable {
    case send
    case skip
    /// Send nothing more in this run.
    case quit
}

/// How each draft gets the user's go-ahead.
public enum SendConfirmation: Sendable {
    /// `--yes`: the user approved every draft in DIR up front.
    case assumeYes
    /// Ask about each draft, in order.
    case ask(@Sendable (OutgoingDraft) async -> SendDecision)
}

/// `reviewbot send DIR`: every `.eml` in DIR, in name order, through SMTP, each only after
/// the user's go-ahead, and never twice (DIR/.sent).
public struct SendJob: Sendable {
    public var directory: URL
    public var confirmation: SendConfirmation

    public init(directory: URL, confirmation: SendConfirmation) {
        self.directory = directory
        self.confirmation = confirmation
    }

    /// What happened to each draft.
    public struct Report: Sendable {
        public struct Failure: Sendable {
            public var file: String
            public var reason: String
        }

        public var sent: [String] = []
        public var declined: [String] = []
        /// Listed in DIR/.sent already: not sent again.
        public var alreadySent: [String] = []
        public var failed: [Failure] = []
        /// Neither sent nor asked about: the user quit, or the server stopped working.
        public var notAttempted: [String] = []
    }

    /// Reads and checks every draft first (a broken one stops the run before anything is
    /// sent), then asks and sends one by one. `say` receives a line per draft sent, declined
    /// or already sent (`sent 0001.eml to a@b, c@d (Message-ID <...>)`); failures are in
    /// the report.
    public func run(transport: some MailTransport, say: @Sendable (String) -> Void) async throws -> Report {
        let drafts = try readDrafts()
        let ledger = try SentLedger(directory: directory)
        var report = Report()
        for (index, draft) in drafts.enumerated() {
            if ledger.contains(draft.messageID) {
                report.alreadySent.append(draft.file)
                say("already sent \(draft.file) (Message-ID \(draft.messageID)): skipped")
                continue
            }
            if case .ask(let ask) = confirmation {
                switch await ask(draft) {
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
            do {
                // No retry: after a timeout the server may have accepted the message, and a
                // second attempt could post it twice.
                try await transport.send(draft.messageToSend, from: draft.sender, to: draft.recipients)
            } catch {
                report.failed.append(.init(file: draft.file, reason: "\(error)"))
                if !Self.affectsOnlyThisMessage(error) {
                    report.notAttempted += drafts[(index + 1)...].map(\.file)
                    return report
                }
                continue
            }
            try ledger.record(draft.messageID, file: draft.file)
            report.sent.append(draft.file)
            say("sent \(draft.file) to \(draft.recipients.joined(separator: ", ")) (Message-ID \(draft.messageID))")
        }
        return report
    }

    /// The `.eml` files of DIR, sorted by name, parsed and checked.
    func readDrafts() throws -> [OutgoingDraft] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.sorted()
        } catch {
            throw ReviewBotError("cannot read drafts directory \(directory.path): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw ReviewBotError("no .eml files in \(directory.path)") }
        return try names.map { name in
            let data: Data
            do {
                data = try Data(contentsOf: directory.appendingPathComponent(name))
            } catch {
                throw ReviewBotError("cannot read \(directory.appendingPathComponent(name).path): \(error.localizedDescription)")
            }
            return try OutgoingDraft(file: name, bytes: data)
        }
    }

    /// A server that refused this message (a recipient, its size) may take the next one;
    /// one that cannot be reached or refused the login will refuse them all.
    static func affectsOnlyThisMessage(_ error: any Error) -> Bool {
        (error as? CurlError)?.kind == .protocolFailure
    }
}
