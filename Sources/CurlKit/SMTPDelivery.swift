/// How far one SMTP submission got, as the server's replies show it. libcurl reports a
/// transfer only once it is over, and with `CURLOPT_FORBID_REUSE` "over" includes QUIT and
/// its answer; but the message is the server's the moment it answers the end of DATA with
/// 250. A caller that records what was sent must learn of that moment, not of QUIT.
public enum SMTPDelivery: Sendable, Equatable {
    /// The server said 354: the message is on its way, and from here a lost connection
    /// leaves it unknown whether the server kept it.
    case dataStarted
    /// The server answered the end of DATA with 2xx: it has taken responsibility for the
    /// message (RFC 5321 4.1.1.4). The reply text is passed on.
    case accepted(String)
}

/// Reads SMTP reply lines and says when the message was handed over. Pure, so the
/// protocol logic is tested without a server.
public struct SMTPReplyWatcher: Sendable {
    private var sawDataGoAhead = false
    private var done = false

    public init() {}

    /// One reply line as the server sent it (`250-SIZE 10240000`, `354 End data ...`).
    /// Only a reply's last line (code and a space, or the code alone) counts.
    public mutating func receive(_ line: String) -> SMTPDelivery? {
        let bytes = Array(line.utf8)
        guard !done, bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") else { return nil }
        let code = Int(String(decoding: bytes[0...2], as: UTF8.self)) ?? 0
        if !sawDataGoAhead {
            guard code == 354 else { return nil }
            sawDataGoAhead = true
            return .dataStarted
        }
        // The next complete reply after 354 is the server's answer to the message itself.
        done = true
        return (200..<300).contains(code) ? .accepted(line) : nil
    }
}
