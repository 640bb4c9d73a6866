import Foundation

/// A small IMAP4rev1 responder on 127.0.0.1 (no TLS): enough of RFC 3501 for what libetpan
/// sends when reviewbot fetches or pushes (LOGIN, CAPABILITY, LIST, SELECT/EXAMINE, UID
/// SEARCH, UID FETCH of RFC822.SIZE and BODY.PEEK[], APPEND, NOOP, LOGOUT), with one
/// misbehaviour at a time: a literal dribbled a byte at a time, a literal without end, a
/// size that lies, a greeting that never ends, a refusal that echoes the password, a
/// hierarchy separator of its choosing. Dovecot covers the well-behaved server; this one
/// covers what a real server would never do.
public final class HostileIMAPServer: Sendable {
    public enum Behaviour: Sendable, Equatable {
        case wellBehaved
        /// Message literals one byte per `interval` seconds (the size announced truly).
        case dribbleLiteral(interval: Double)
        /// A literal announced as almost 4 GB and sent as fast as the client reads.
        case endlessLiteral
        /// RFC822.SIZE says what the messages hold; each BODY[] literal carries `extra`
        /// more bytes of padding than that.
        case understateSizes(extra: Int)
        /// The greeting is one line that never ends, a byte per `interval` seconds.
        case dribbleGreeting(interval: Double)
        /// LOGIN is refused with the password quoted back in the reason, plus an escape
        /// sequence for the terminal.
        case echoPasswordOnLogin
    }

    public let port: UInt16
    private let listener: LoopbackListener
    private let log = Locked<[String]>([])

    /// `mailboxes` maps a mailbox name, as the server spells it (with `separator`), to its
    /// messages; UIDs are 1, 2, ... in order.
    public init(user: String, password: String, mailboxes: [String: [Data]], separator: Character = ".",
                behaviour: Behaviour = .wellBehaved) throws {
        let log = self.log
        listener = try LoopbackListener { connection in
            var session = IMAPServerSession(connection: connection, user: user, password: password,
                                            mailboxes: mailboxes, separator: separator, behaviour: behaviour)
            session.run { line in log.withLock { $0.append(line) } }
        }
        port = listener.port
    }

    /// Every command line received (a LOGIN's password replaced by `<password>`).
    public var commands: [String] { log.withLock { $0 } }

    public func stop() { listener.stop() }

    deinit { listener.stop() }
}

/// One connection's conversation.
struct IMAPServerSession {
    let connection: LoopbackConnection
    let user: String
    let password: String
    let mailboxes: [String: [Data]]
    let separator: Character
    let behaviour: HostileIMAPServer.Behaviour
    private var buffer = Data()
    private var selected: [Data] = []

    /// The longest command line read before hanging up.
    static let maxLine = 64 * 1024

    init(connection: LoopbackConnection, user: String, password: String, mailboxes: [String: [Data]],
         separator: Character, behaviour: HostileIMAPServer.Behaviour) {
        self.connection = connection
        self.user = user
        self.password = password
        self.mailboxes = mailboxes
        self.separator = separator
        self.behaviour = behaviour
    }

    mutating func run(record: (String) -> Void) {
        if case .dribbleGreeting(let interval) = behaviour {
            guard connection.write("* OK ") else { return }
            while connection.write("x") { Thread.sleep(forTimeInterval: interval) }
            return
        }
        connection.write("* OK [CAPABILITY IMAP4rev1 LITERAL+] hostile loopback IMAP ready\r\n")
        while let line = readLine() {
            let text = String(decoding: line, as: UTF8.self)
            let words = text.split(separator: " ", maxSplits: 2).map(String.init)
            guard words.count >= 2 else { continue }
            let tag = words[0], verb = words[1].uppercased()
            let rest = words.count > 2 ? words[2] : ""
            var logged = text
            if verb == "LOGIN" { logged = "\(tag) LOGIN <password>" }
            record(logged)
            switch verb {
            case "CAPABILITY":
                connection.write("* CAPABILITY IMAP4rev1 LITERAL+\r\n\(tag) OK done\r\n")
            case "NOOP", "CHECK":
                connection.write("\(tag) OK done\r\n")
            case "LOGOUT":
                connection.write("* BYE see you\r\n\(tag) OK LOGOUT done\r\n")
                return
            case "STARTTLS":
                connection.write("\(tag) NO no TLS here\r\n")
            case "LOGIN":
                guard let arguments = readArguments(rest), arguments.count == 2 else {
                    connection.write("\(tag) BAD LOGIN needs a user and a password\r\n")
                    continue
                }
                if behaviour == .echoPasswordOnLogin {
                    connection.write("\(tag) NO [AUTHENTICATIONFAILED] password \(arguments[1]) is wrong \u{1B}[2J\r\n")
                } else if arguments[0] == user && arguments[1] == password {
                    connection.write("\(tag) OK LOGIN done\r\n")
                } else {
                    connection.write("\(tag) NO [AUTHENTICATIONFAILED] invalid credentials\r\n")
                }
            case "LIST":
                connection.write("* LIST (\\Noselect) \"\(separator)\" \"\"\r\n\(tag) OK LIST done\r\n")
            case "SELECT", "EXAMINE":
                let name = readArguments(rest)?.first ?? rest
                guard let messages = mailboxes[name] else {
                    connection.write("\(tag) NO [NONEXISTENT] no mailbox \(name)\r\n")
                    continue
                }
                selected = messages
                connection.write("* \(messages.count) EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] ok\r\n"
                    + "* OK [UIDNEXT \(messages.count + 1)] ok\r\n\(tag) OK [READ-ONLY] \(verb) done\r\n")
            case "UID":
                uid(tag: tag, rest)
            case "APPEND":
                // `APPEND box (\Draft) {n}`: take the literal, keep nothing.
                if let count = Self.literalSize(rest) {
                    if !rest.hasSuffix("+}") { connection.write("+ go on\r\n") }
                    _ = readExact(count)
                    _ = readLine()
                }
                connection.write("\(tag) OK APPEND done\r\n")
            default:
                connection.write("\(tag) BAD unknown command\r\n")
            }
        }
    }

    private mutating func uid(tag: String, _ rest: String) {
        let words = rest.split(separator: " ", maxSplits: 2).map(String.init)
        guard let command = words.first?.uppercased() else { connection.write("\(tag) BAD\r\n"); return }
        switch command {
        case "SEARCH":
            let all = selected.indices.map { String($0 + 1) }.joined(separator: " ")
            connection.write("* SEARCH \(all)\r\n\(tag) OK SEARCH done\r\n")
        case "FETCH":
            guard words.count == 3 else { connection.write("\(tag) BAD\r\n"); return }
            let uids = Self.uids(words[1], count: selected.count)
            let wantsBody = words[2].uppercased().contains("BODY")
            for uid in uids {
                let message = crlf(selected[uid - 1])
                if !wantsBody {
                    guard connection.write("* \(uid) FETCH (UID \(uid) RFC822.SIZE \(message.count))\r\n") else { return }
                    continue
                }
                guard sendBody(uid: uid, message) else { return }
            }
            connection.write("\(tag) OK FETCH done\r\n")
        default:
            connection.write("\(tag) BAD\r\n")
        }
    }

    /// One `* n FETCH (UID n BODY[] {size}` literal, as the behaviour says.
    private func sendBody(uid: Int, _ message: Data) -> Bool {
        switch behaviour {
        case .endlessLiteral:
            guard connection.write("* \(uid) FETCH (UID \(uid) BODY[] {4000000000}\r\n") else { return false }
            let block = Data(repeating: UInt8(ascii: "y"), count: 64 * 1024)
            while connection.write(block) {}
            return false
        case .dribbleLiteral(let interval):
            guard connection.write("* \(uid) FETCH (UID \(uid) BODY[] {\(message.count)}\r\n") else { return false }
            for byte in message {
                guard connection.write(Data([byte])) else { return false }
                Thread.sleep(forTimeInterval: interval)
            }
            return connection.write(")\r\n")
        case .understateSizes(let extra):
            let padded = message + Data(repeating: UInt8(ascii: "z"), count: extra)
            return connection.write("* \(uid) FETCH (UID \(uid) BODY[] {\(padded.count)}\r\n") && connection.write(padded)
                && connection.write(")\r\n")
        default:
            return connection.write("* \(uid) FETCH (UID \(uid) BODY[] {\(message.count)}\r\n") && connection.write(message)
                && connection.write(")\r\n")
        }
    }

    /// Bare LFs made CRLF, a line at a time (memchr), so a 10 MB message costs little.
    private func crlf(_ data: Data) -> Data {
        var out = Data(capacity: data.count + data.count / 30)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var start = 0
            while start < raw.count {
                guard let hit = memchr(base + start, 0x0A, raw.count - start) else {
                    out.append(base.assumingMemoryBound(to: UInt8.self) + start, count: raw.count - start)
                    return
                }
                let newline = base.distance(to: UnsafeRawPointer(hit))
                let end = newline > start && raw[newline - 1] == 0x0D ? newline - 1 : newline
                out.append(base.assumingMemoryBound(to: UInt8.self) + start, count: end - start)
                out.append(contentsOf: [0x0D, 0x0A])
                start = newline + 1
            }
        }
        return out
    }

    // MARK: reading

    private mutating func fill() -> Bool {
        guard let chunk = connection.read() else { return false }
        buffer.append(chunk)
        return true
    }

    private mutating func readLine() -> Data? {
        while true {
            if let end = buffer.range(of: Data("\r\n".utf8)) {
                let line = Data(buffer[buffer.startIndex..<end.lowerBound])
                buffer.removeSubrange(buffer.startIndex..<end.upperBound)
                return line
            }
            guard buffer.count < Self.maxLine, fill() else { return nil }
        }
    }

    private mutating func readExact(_ count: Int) -> Data? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        let data = Data(buffer.prefix(count))
        buffer.removeFirst(count)
        return data
    }

    /// Atoms, quoted strings and `{n}` literals of a command's arguments.
    private mutating func readArguments(_ text: String) -> [String]? {
        var arguments: [String] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0 == " " }
            guard let first = rest.first else { return arguments }
            if first == "\"" {
                var value = ""
                var index = rest.index(after: rest.startIndex)
                var escaped = false
                while index < rest.endIndex {
                    let c = rest[index]
                    if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { value.append(c) }
                    index = rest.index(after: index)
                }
                arguments.append(value)
                rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
            } else if first == "{", let count = Self.literalSize(String(rest)) {
                if !rest.contains("+}") { connection.write("+ go on\r\n") }
                guard let literal = readExact(count), let next = readLine() else { return nil }
                arguments.append(String(decoding: literal, as: UTF8.self))
                rest = Substring(String(decoding: next, as: UTF8.self))
            } else {
                let atom = rest.prefix { $0 != " " }
                arguments.append(String(atom))
                rest = rest.dropFirst(atom.count)
            }
        }
    }

    /// The `n` of a trailing `{n}` or `{n+}`.
    static func literalSize(_ text: String) -> Int? {
        guard text.hasSuffix("}"), let open = text.lastIndex(of: "{") else { return nil }
        return Int(text[text.index(after: open)..<text.index(before: text.endIndex)].filter { $0 != "+" })
    }

    /// `1,3:5` within 1...count.
    static func uids(_ set: String, count: Int) -> [Int] {
        var out: [Int] = []
        for part in set.split(separator: ",") {
            let bounds = part.split(separator: ":").map { $0 == "*" ? count : Int($0) ?? 0 }
            guard let low = bounds.first else { continue }
            let high = bounds.count > 1 ? bounds[1] : low
            for uid in min(low, high)...max(low, high) where uid >= 1 && uid <= count { out.append(uid) }
        }
        return out
    }
}
