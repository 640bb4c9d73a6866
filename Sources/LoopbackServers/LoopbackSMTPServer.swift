import Foundation

/// One message as the loopback SMTP server accepted it.
public struct SMTPEnvelope: Sendable, Hashable {
    /// The name the client gave in EHLO or HELO.
    public var clientName: String
    /// The user that authenticated for this session, if any.
    public var authenticatedUser: String?
    /// The MAIL FROM address, without angle brackets (empty for the null sender `<>`).
    public var sender: String
    /// The RCPT TO addresses in the order given, without angle brackets.
    public var recipients: [String]
    /// The DATA bytes as they crossed the wire with dot-stuffing undone: CRLF line endings,
    /// without the terminating `.` line.
    public var message: Data
}

/// A real RFC 5321 SMTP server on 127.0.0.1 for tests of the mail submission path: a
/// greeting, EHLO with capabilities, AUTH PLAIN and LOGIN (RFC 4954), MAIL, RCPT, DATA
/// with dot-stuffing, RSET, NOOP, QUIT. No TLS: the client must be told that plaintext is
/// acceptable, so a client that insists on STARTTLS fails here as it should.
public final class LoopbackSMTPServer: Sendable {
    /// What the server accepts.
    public struct Policy: Sendable {
        /// Users and passwords. When not empty, AUTH is required before MAIL.
        public var users: [String: String]
        /// The SASL mechanisms advertised in EHLO, in order.
        public var mechanisms: [String]
        /// Answer every AUTH with 535, whatever the credentials.
        public var rejectAuthentication: Bool
        /// Recipients answered with 550 (compared case-insensitively).
        public var rejectedRecipients: Set<String>
        /// How the server breaks the protocol, for tests of a client that must survive it.
        public var misbehaviour: Misbehaviour

        public init(users: [String: String] = [:], mechanisms: [String] = ["PLAIN", "LOGIN"],
                    rejectAuthentication: Bool = false, rejectedRecipients: Set<String> = [],
                    misbehaviour: Misbehaviour = .none) {
            self.users = users
            self.mechanisms = mechanisms
            self.rejectAuthentication = rejectAuthentication
            self.rejectedRecipients = Set(rejectedRecipients.map { $0.lowercased() })
            self.misbehaviour = misbehaviour
        }
    }

    /// A hostile or broken server.
    public enum Misbehaviour: Sendable, Equatable {
        case none
        /// Accepts the connection and never says a word.
        case silent
        /// Takes the message, then never answers the final `.`.
        case stallAfterData
        /// Answers every line with text that is not an SMTP reply.
        case nonsense
        /// Refuses AUTH with a reply that quotes the decoded credentials and an escape
        /// sequence for the terminal.
        case echoCredentials
        /// Answers a message's DATA with 250, then reads every further line (QUIT included)
        /// without ever answering: a server that took the mail and then hung.
        case hangAfterAccepting
    }

    /// RFC 5321 4.5.3.1.4 and 4.5.3.1.6: command and text lines are at most 512 and 1000
    /// octets, CRLF included.
    static let maxCommandLine = 512
    static let maxTextLine = 1000
    /// RFC 5321 4.5.3.1.8: servers must accept at least 100 recipients; this one takes no more.
    static let maxRecipients = 100
    /// Advertised in EHLO (RFC 1870 SIZE); larger messages are refused.
    public static let maxMessageBytes = 10 * 1024 * 1024

    public let port: UInt16
    private let listener: LoopbackListener
    private let accepted = Locked<[SMTPEnvelope]>([])
    private let commands = Locked<[String]>([])

    /// `onCommand` sees each command line (as `receivedCommands` lists it) on the
    /// connection's thread before the server answers it, so a test can look at the
    /// client's state at that exact moment (say, when QUIT arrives).
    public init(policy: Policy = Policy(), onCommand: (@Sendable (String) -> Void)? = nil) throws {
        let accepted = self.accepted
        let commands = self.commands
        listener = try LoopbackListener { connection in
            var session = SMTPSession(policy: policy)
            if policy.misbehaviour == .silent {
                while connection.read() != nil {}
                return
            }
            connection.write(session.greeting)
            var buffer = Data()
            while let chunk = connection.read() {
                buffer.append(chunk)
                while let end = buffer.range(of: Data("\r\n".utf8)) {
                    let line = Data(buffer[buffer.startIndex..<end.lowerBound])
                    buffer.removeSubrange(buffer.startIndex..<end.upperBound)
                    var step = session.receive(line)
                    switch policy.misbehaviour {
                    case .nonsense:
                        step.reply = "hello there, this is not smtp \u{1B}[31m\r\n"
                    case .stallAfterData where line == Data(".".utf8) && !step.reply.isEmpty:
                        while connection.read() != nil {}
                        return
                    default:
                        break
                    }
                    if let command = step.command {
                        commands.withLock { $0.append(command) }
                        onCommand?(command)
                    }
                    if let envelope = step.envelope { accepted.withLock { $0.append(envelope) } }
                    if !step.reply.isEmpty { connection.write(step.reply) }
                    if step.close { return }
                }
                // A line that never ends is not SMTP; hang up rather than buffer it forever.
                if buffer.count > LoopbackSMTPServer.maxTextLine * 64 {
                    connection.write("500 5.5.6 line too long\r\n")
                    return
                }
            }
        }
        port = listener.port
    }

    /// `smtp://127.0.0.1:PORT`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Every message accepted so far, in order.
    public var envelopes: [SMTPEnvelope] { accepted.withLock { $0 } }

    /// Every command line received, in order (`EHLO x`, `MAIL FROM:<a@b>`, ...); SASL
    /// payloads show as `<sasl data>`.
    public var receivedCommands: [String] { commands.withLock { $0 } }

    public func stop() { listener.stop() }

    deinit { listener.stop() }
}

/// The server side of one SMTP session as a state machine: lines in, replies out.
struct SMTPSession {
    struct Step {
        var reply = ""
        var close = false
        /// The command line, for the server's log (nil inside DATA).
        var command: String?
        /// A message accepted by this step.
        var envelope: SMTPEnvelope?
    }

    private enum Phase {
        case command
        case data
        case authPlain
        case authLoginUser
        case authLoginPassword(user: String)
    }

    private let policy: LoopbackSMTPServer.Policy
    private var phase = Phase.command
    private var clientName: String?
    private var user: String?
    private var sender: String?
    private var recipients: [String] = []
    private var message = Data()
    private var messageTooLarge = false
    private var lineTooLong = false
    private var hung = false

    init(policy: LoopbackSMTPServer.Policy) { self.policy = policy }

    var greeting: String { "220 127.0.0.1 ESMTP reviewbot loopback server ready\r\n" }

    mutating func receive(_ line: Data) -> Step {
        if hung { return Step(command: String(decoding: line, as: UTF8.self)) }
        switch phase {
        case .data:
            return dataLine(line)
        case .authPlain:
            phase = .command
            return Step(reply: authPlain(String(decoding: line, as: UTF8.self)), command: "<sasl data>")
        case .authLoginUser:
            let text = String(decoding: line, as: UTF8.self)
            guard text != "*", let name = Self.base64(text) else { phase = .command; return Step(reply: "501 5.7.0 authentication cancelled\r\n", command: "<sasl data>") }
            phase = .authLoginPassword(user: name)
            return Step(reply: "334 UGFzc3dvcmQ6\r\n", command: "<sasl data>")  // "Password:"
        case .authLoginPassword(let name):
            phase = .command
            let text = String(decoding: line, as: UTF8.self)
            guard text != "*", let password = Self.base64(text) else { return Step(reply: "501 5.7.0 authentication cancelled\r\n", command: "<sasl data>") }
            return Step(reply: authenticate(name, password), command: "<sasl data>")
        case .command:
            let text = String(decoding: line, as: UTF8.self)
            var step = command(text, length: line.count + 2)
            step.command = text.uppercased().hasPrefix("AUTH ") ? Self.withoutInitialResponse(text) : text
            return step
        }
    }

    private mutating func command(_ text: String, length: Int) -> Step {
        guard length <= LoopbackSMTPServer.maxCommandLine else { return Step(reply: "500 5.5.6 command line too long\r\n") }
        let verb = text.prefix { $0 != " " }.uppercased()
        let argument = text.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty else { return Step(reply: "501 5.5.4 \(verb) needs a domain\r\n") }
            clientName = argument
            resetTransaction()
            guard verb == "EHLO" else { return Step(reply: "250 127.0.0.1\r\n") }
            var lines = ["127.0.0.1 greets \(argument)", "SIZE \(LoopbackSMTPServer.maxMessageBytes)", "8BITMIME"]
            if !policy.users.isEmpty || policy.rejectAuthentication, !policy.mechanisms.isEmpty {
                lines.append("AUTH " + policy.mechanisms.joined(separator: " "))
            }
            lines.append("ENHANCEDSTATUSCODES")
            return Step(reply: Self.multiline(250, lines))
        case "AUTH":
            return auth(argument)
        case "MAIL":
            guard clientName != nil else { return Step(reply: "503 5.5.1 send EHLO first\r\n") }
            guard user != nil || policy.users.isEmpty else { return Step(reply: "530 5.7.0 authentication required\r\n") }
            guard sender == nil else { return Step(reply: "503 5.5.1 nested MAIL command\r\n") }
            guard let address = Self.path(argument, keyword: "FROM:") else {
                return Step(reply: "501 5.5.4 syntax: MAIL FROM:<address>\r\n")
            }
            sender = address
            return Step(reply: "250 2.1.0 Ok\r\n")
        case "RCPT":
            guard sender != nil else { return Step(reply: "503 5.5.1 need MAIL first\r\n") }
            guard let address = Self.path(argument, keyword: "TO:"), !address.isEmpty else {
                return Step(reply: "501 5.5.4 syntax: RCPT TO:<address>\r\n")
            }
            if policy.rejectedRecipients.contains(address.lowercased()) {
                return Step(reply: "550 5.1.1 <\(address)>: recipient rejected\r\n")
            }
            guard recipients.count < LoopbackSMTPServer.maxRecipients else {
                return Step(reply: "452 4.5.3 too many recipients\r\n")
            }
            recipients.append(address)
            return Step(reply: "250 2.1.5 Ok\r\n")
        case "DATA":
            guard !recipients.isEmpty else { return Step(reply: "503 5.5.1 need RCPT first\r\n") }
            phase = .data
            return Step(reply: "354 End data with <CR><LF>.<CR><LF>\r\n")
        case "RSET":
            resetTransaction()
            return Step(reply: "250 2.0.0 Ok\r\n")
        case "NOOP":
            return Step(reply: "250 2.0.0 Ok\r\n")
        case "VRFY":
            return Step(reply: "252 2.0.0 cannot VRFY, but will try delivery\r\n")
        case "QUIT":
            return Step(reply: "221 2.0.0 Bye\r\n", close: true)
        case "STARTTLS":
            return Step(reply: "454 4.7.0 TLS not available\r\n")
        default:
            return Step(reply: "500 5.5.2 command not recognized\r\n")
        }
    }

    private mutating func dataLine(_ line: Data) -> Step {
        if line == Data(".".utf8) {
            phase = .command
            defer { resetTransaction() }
            if lineTooLong { return Step(reply: "554 5.6.0 a line is longer than \(LoopbackSMTPServer.maxTextLine - 2) octets\r\n") }
            if messageTooLarge { return Step(reply: "552 5.3.4 message exceeds \(LoopbackSMTPServer.maxMessageBytes) bytes\r\n") }
            let envelope = SMTPEnvelope(clientName: clientName ?? "", authenticatedUser: user, sender: sender ?? "",
                                        recipients: recipients, message: message)
            hung = policy.misbehaviour == .hangAfterAccepting
            return Step(reply: "250 2.0.0 Ok: queued\r\n", envelope: envelope)
        }
        if line.count + 2 > LoopbackSMTPServer.maxTextLine { lineTooLong = true }
        // RFC 5321 4.5.2: a leading dot was doubled by the client; take one away.
        let text = line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
        if message.count + text.count + 2 > LoopbackSMTPServer.maxMessageBytes {
            messageTooLarge = true
        } else {
            message.append(contentsOf: text)
            message.append(contentsOf: [0x0d, 0x0a])
        }
        return Step()
    }

    private mutating func auth(_ argument: String) -> Step {
        guard clientName != nil else { return Step(reply: "503 5.5.1 send EHLO first\r\n") }
        guard user == nil else { return Step(reply: "503 5.5.1 already authenticated\r\n") }
        guard sender == nil else { return Step(reply: "503 5.5.1 AUTH not allowed during a mail transaction\r\n") }
        let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
        guard let mechanism = parts.first?.uppercased(), policy.mechanisms.contains(mechanism) else {
            return Step(reply: "504 5.5.4 mechanism not supported\r\n")
        }
        let initial = parts.count > 1 ? parts[1] : nil
        switch mechanism {
        case "PLAIN":
            if let initial { return Step(reply: authPlain(initial)) }
            phase = .authPlain
            return Step(reply: "334 \r\n")
        default:  // LOGIN
            if let initial {
                guard let name = Self.base64(initial) else { return Step(reply: "501 5.5.2 bad base64\r\n") }
                phase = .authLoginPassword(user: name)
                return Step(reply: "334 UGFzc3dvcmQ6\r\n")
            }
            phase = .authLoginUser
            return Step(reply: "334 VXNlcm5hbWU6\r\n")  // "Username:"
        }
    }

    /// RFC 4616: `[authzid] NUL authcid NUL passwd`, base64.
    private mutating func authPlain(_ response: String) -> String {
        guard response != "*" else { return "501 5.7.0 authentication cancelled\r\n" }
        guard let decoded = Data(base64Encoded: response) else { return "501 5.5.2 bad base64\r\n" }
        let fields = decoded.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return "501 5.5.2 malformed PLAIN response\r\n" }
        return authenticate(String(decoding: fields[1], as: UTF8.self), String(decoding: fields[2], as: UTF8.self))
    }

    private mutating func authenticate(_ name: String, _ password: String) -> String {
        if policy.misbehaviour == .echoCredentials {
            return "535 5.7.8 bad credentials for \(name): '\(password)' \u{1B}[2J\r\n"
        }
        guard !policy.rejectAuthentication, let expected = policy.users[name], expected == password else {
            return "535 5.7.8 authentication credentials invalid\r\n"
        }
        user = name
        return "235 2.7.0 authentication successful\r\n"
    }

    private mutating func resetTransaction() {
        sender = nil
        recipients = []
        message = Data()
        messageTooLarge = false
        lineTooLong = false
    }

    /// `FROM:<a@b> SIZE=12` -> `a@b`; nil when malformed.
    static func path(_ argument: String, keyword: String) -> String? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        let rest = argument.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    static func base64(_ text: String) -> String? {
        Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) }
    }

    static func withoutInitialResponse(_ text: String) -> String {
        let words = text.split(separator: " ")
        return words.count > 2 ? words.prefix(2).joined(separator: " ") + " <sasl data>" : text
    }

    static func multiline(_ code: Int, _ lines: [String]) -> String {
        lines.enumerated().map { index, line in
            "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }.joined()
    }
}
