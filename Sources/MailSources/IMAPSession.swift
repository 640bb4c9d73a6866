import CEtpan
import CurlKit
import Foundation

/// One logged-in libetpan IMAP session. Blocking: use from a dedicated thread only.
final class IMAPSession {
    private let session: UnsafeMutablePointer<mailimap>
    let url: IMAPMailboxURL
    private let timeout: Double
    /// Seconds libetpan waits for one read or connect.
    private var waitLimit: Double { max(1, (timeout / 2).rounded(.up)) }

    /// Connects (TLS unless plaintext is allowed for imap://), checks the certificate, logs in.
    init(url: IMAPMailboxURL, options: IMAPOptions) throws {
        guard let user = url.user, !user.isEmpty else {
            throw MailSourceError.usage("no user in \(url): write imaps://USER@\(url.host)/\(url.mailbox)")
        }
        let password = try options.password(for: url)
        try Self.resolve(url.host)
        guard let session = mailimap_new(0, nil) else { throw MailSourceError("libetpan could not create a session") }
        self.session = session
        self.url = url
        self.timeout = options.timeout
        // libetpan may wait the session timeout twice for one step (measured: a silent server
        // took 2x to fail at the greeting), so each wait gets half the user's limit.
        mailimap_set_timeout(session, time_t(waitLimit))

        let started = Date()
        let code: Int32
        switch url.security {
        case .implicitTLS:
            code = url.host.withCString { host in
                let name = Self.isIPAddress(url.host) ? nil : strdup(url.host)
                defer { free(name) }
                return mailimap_ssl_connect_with_callback(session, host, url.port, rb_ssl_set_server_name, name)
            }
        case .startTLS:
            code = mailimap_socket_connect(session, url.host, url.port)
        }
        guard Self.isSuccess(code) else {
            throw connectError(code, since: started)
        }
        if url.security == .startTLS && !options.allowPlaintext {
            let tls = mailimap_socket_starttls(session)
            guard tls == MAILIMAP_NO_ERROR else {
                    throw MailSourceError("STARTTLS failed at \(url.host):\(url.port) (the server may not offer TLS; use imaps:// or allow plaintext for a test server)")
            }
        }
        if url.security == .implicitTLS || !options.allowPlaintext {
            try verifyPeer(options.tls)
        }
        let login = mailimap_login(session, user, password)
        guard login == MAILIMAP_NO_ERROR else {
            let reason = serverText
            if login == MAILIMAP_ERROR_LOGIN {
                throw MailSourceError("login failed for \(user) at \(url.host):\(url.port)\(reason.isEmpty ? "" : ": \(reason)")")
            }
            throw streamError(login, doing: "logging in", since: started)
        }
    }

    // Also runs when init throws after the session exists: the one place it is freed.
    deinit {
        if session.pointee.imap_stream != nil { _ = mailimap_logout(session) }
        mailimap_free(session)
    }

    // MARK: commands

    /// EXAMINE (read-only) or SELECT the mailbox.
    func open(readOnly: Bool) throws {
        let code = readOnly ? mailimap_examine(session, url.mailbox) : mailimap_select(session, url.mailbox)
        guard code == MAILIMAP_NO_ERROR else {
            throw commandError(code, "cannot open mailbox \(url.mailbox)")
        }
    }

    func uidSearch(_ search: IMAPOptions.Search) throws -> [UInt32] {
        switch search {
        case .recentPatches(let days):
            let since = Calendar(identifier: .gregorian).dateComponents(
                in: TimeZone(identifier: "UTC")!, from: Date().addingTimeInterval(-Double(days) * 86_400))
            let key = mailimap_search_key_new_multiple_empty()!
            mailimap_search_key_multiple_add(key, mailimap_search_key_new_subject(strdup("PATCH")))
            let date = mailimap_date_new(Int32(since.day!), Int32(since.month!), Int32(since.year!))
            mailimap_search_key_multiple_add(key, mailimap_search_key_new_since(date))
            return try uidSearch(key: key)
        case .raw(let program):
            guard !program.contains("\r"), !program.contains("\n") else {
                throw MailSourceError.usage("an IMAP search must be one line")
            }
            let code = mailimap_custom_command(session, "UID SEARCH \(program)")
            guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "UID SEARCH \(program) failed") }
            return Self.uids(session.pointee.imap_response_info?.pointee.rsp_search_result)
        }
    }

    /// UIDs of messages whose `Message-ID` header holds `messageID`.
    func uidSearch(messageID: String) throws -> [UInt32] {
        try uidSearch(key: mailimap_search_key_new_header(strdup("Message-ID"), strdup("<\(messageID)>")))
    }

    private func uidSearch(key: UnsafeMutablePointer<mailimap_search_key>) throws -> [UInt32] {
        defer { mailimap_search_key_free(key) }
        var result: UnsafeMutablePointer<clist>?
        let code = mailimap_uid_search(session, nil, key, &result)
        guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "UID SEARCH failed in \(url.mailbox)") }
        defer { if let result { mailimap_search_result_free(result) } }
        return Self.uids(result)
    }

    /// The raw bytes of each message (BODY.PEEK[], so nothing becomes \Seen), by UID.
    func fetchBodies(_ uids: [UInt32]) throws -> [(uid: UInt32, bytes: Data)] {
        var bodies: [(UInt32, Data)] = []
        // A bounded UID set per command keeps each response (and its memory) modest.
        for batch in stride(from: 0, to: uids.count, by: 100).map({ Array(uids[$0..<min($0 + 100, uids.count)]) }) {
            let set = mailimap_set_new_empty()!
            for uid in batch { mailimap_set_add_single(set, uid) }
            let type = mailimap_fetch_type_new_fetch_att_list_empty()!
            mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid())
            mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(nil)))
            var result: UnsafeMutablePointer<clist>?
            let code = mailimap_uid_fetch(session, set, type, &result)
            mailimap_fetch_type_free(type)
            mailimap_set_free(set)
            guard code == MAILIMAP_NO_ERROR, let result else { throw commandError(code, "UID FETCH failed in \(url.mailbox)") }
            defer { mailimap_fetch_list_free(result) }
            var item = rb_clist_begin(result)
            while let current = item {
                let attributes = rb_clist_content(current).assumingMemoryBound(to: mailimap_msg_att.self)
                var uid: UInt32 = 0
                var body: Data?
                var attribute = rb_clist_begin(attributes.pointee.att_list)
                while let a = attribute {
                    let entry = rb_clist_content(a).assumingMemoryBound(to: mailimap_msg_att_item.self)
                    if entry.pointee.att_type == Int32(MAILIMAP_MSG_ATT_ITEM_STATIC),
                       let value = entry.pointee.att_data.att_static {
                        if value.pointee.att_type == Int32(MAILIMAP_MSG_ATT_UID) {
                            uid = value.pointee.att_data.att_uid
                        } else if value.pointee.att_type == Int32(MAILIMAP_MSG_ATT_BODY_SECTION),
                                  let section = value.pointee.att_data.att_body_section, let bytes = section.pointee.sec_body_part {
                            body = Data(bytes: bytes, count: section.pointee.sec_length)
                        }
                    }
                    attribute = rb_clist_next(a)
                }
                if let body { bodies.append((uid, body)) }
                item = rb_clist_next(current)
            }
        }
        return bodies.sorted { $0.0 < $1.0 }
    }

    /// APPEND `message` to the open mailbox with the given flags (`\Draft`).
    func append(_ message: Data, draft: Bool) throws {
        let flags = mailimap_flag_list_new_empty()!
        if draft { mailimap_flag_list_add(flags, mailimap_flag_new_draft()) }
        defer { mailimap_flag_list_free(flags) }
        let literal = LineEndings.crlf(message)
        let code = literal.withUnsafeBytes { raw in
            mailimap_append(session, url.mailbox, flags, nil, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "APPEND to \(url.mailbox) failed") }
    }

    // MARK: errors

    private var serverText: String {
        guard let text = session.pointee.imap_response else { return "" }
        return String(cString: text)
    }

    private func commandError(_ code: Int32, _ what: String) -> MailSourceError {
        if code == MAILIMAP_ERROR_STREAM { return streamError(code, doing: what, since: nil) }
        let reason = serverText
        return MailSourceError("\(what) at \(url.host):\(url.port)\(reason.isEmpty ? "" : ": \(reason)")")
    }

    private func streamError(_ code: Int32, doing what: String, since: Date?) -> MailSourceError {
        MailSourceError("connection to \(url.host):\(url.port) lost or timed out (limit \(formatted(timeout))) while \(what)")
    }

    private func connectError(_ code: Int32, since started: Date) -> MailSourceError {
        let elapsed = Date().timeIntervalSince(started)
        if elapsed >= waitLimit * 0.9 {
            return MailSourceError("timed out after \(formatted(timeout)) waiting for \(url.host):\(url.port)")
        }
        switch Int(code) {
        case MAILIMAP_ERROR_CONNECTION_REFUSED:
            return MailSourceError("connection refused by \(url.host):\(url.port)")
        case MAILIMAP_ERROR_SSL:
            return MailSourceError("tls handshake with \(url.host):\(url.port) failed (is it an imaps port?)")
        default:
            return MailSourceError("cannot talk IMAP with \(url.host):\(url.port) (libetpan error \(code))")
        }
    }

    private func verifyPeer(_ tls: TLSOptions) throws {
        guard !tls.insecureSkipVerify else { return }
        var reason = [CChar](repeating: 0, count: 512)
        let ok = rb_verify_peer(session.pointee.imap_stream, url.host, tls.caFile, &reason, reason.count)
        guard ok == 0 else {
            throw MailSourceError("tls certificate of \(url.host):\(url.port) not trusted: \(String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
    }

    // MARK: helpers

    private static func uids(_ list: UnsafeMutablePointer<clist>?) -> [UInt32] {
        guard let list else { return [] }
        var out: [UInt32] = []
        var item = rb_clist_begin(list)
        while let current = item {
            out.append(rb_clist_content(current).assumingMemoryBound(to: UInt32.self).pointee)
            item = rb_clist_next(current)
        }
        return out
    }

    private static func isSuccess(_ code: Int32) -> Bool {
        code == MAILIMAP_NO_ERROR || code == MAILIMAP_NO_ERROR_AUTHENTICATED || code == MAILIMAP_NO_ERROR_NON_AUTHENTICATED
    }

    /// Name an unknown host before libetpan folds it into "connection refused".
    private static func resolve(_ host: String) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        if let result { freeaddrinfo(result) }
        guard status == 0 else { throw MailSourceError("could not resolve host \(host)") }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
