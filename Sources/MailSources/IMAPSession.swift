import CEtpan
import CurlKit
import Foundation
import MboxParser

/// One logged-in libetpan IMAP session. Blocking: use from a dedicated thread only.
///
/// The socket is ours (connected here, then handed to libetpan), so `IMAPWatchdog` can cut
/// it: every step (connecting, each command) has an overall deadline and a byte budget,
/// beyond libetpan's per-read timeout. What the server says is shown only with the
/// password removed and control characters made visible.
final class IMAPSession {
    let session: UnsafeMutablePointer<mailimap>
    let url: IMAPMailboxURL
    private let timeout: Double
    private let watchdog = IMAPWatchdog()
    private let redactor: SecretRedactor
    /// The mailbox as the server names it (the URL's `/` turned into its hierarchy separator).
    private(set) var mailbox: String
    /// Seconds libetpan waits for one read or connect.
    private var waitLimit: Double { max(1, (min(timeout, IMAPOptions.longestWait) / 2).rounded(.up)) }
    /// Seconds one whole step may take, whatever the server dribbles.
    private var stepLimit: Double { IMAPOptions.stepSeconds(timeout: timeout) }

    /// Connects (TLS unless plaintext is allowed for imap://), checks the certificate, logs in.
    init(url: IMAPMailboxURL, options: IMAPOptions) throws {
        guard let user = url.user, !user.isEmpty else {
            throw MailSourceError.usage("no user in \(url): write imaps://USER@\(url.host)/\(url.mailbox)")
        }
        let password = try options.password(for: url)
        redactor = SecretRedactor([password])
        guard let session = mailimap_new(0, nil) else { throw MailSourceError("libetpan could not create a session") }
        self.session = session
        self.url = url
        self.mailbox = url.mailbox
        self.timeout = options.timeout
        // libetpan may wait the session timeout twice for one step (measured: a silent server
        // took 2x to fail at the greeting), so each wait gets half the user's limit.
        mailimap_set_timeout(session, time_t(waitLimit))
        mailimap_set_logger(session, { _, type, _, size, context in
            guard type == Int32(MAILSTREAM_LOG_TYPE_DATA_RECEIVED), let context else { return }
            Unmanaged<IMAPWatchdog>.fromOpaque(context).takeUnretainedValue().received(size)
        }, Unmanaged.passUnretained(watchdog).toOpaque())

        let started = Date()
        watchdog.begin("connecting", seconds: stepLimit, maxBytes: IMAPOptions.maxLineBytes)
        let fd = try Self.connectSocket(host: url.host, port: url.port, seconds: min(timeout, IMAPOptions.longestWait))
        watchdog.attach(fd)
        let stream: UnsafeMutablePointer<mailstream>?
        switch url.security {
        case .implicitTLS:
            let name = Self.isIPAddress(url.host) ? nil : strdup(url.host)
            defer { free(name) }
            stream = mailstream_ssl_open_with_callback_timeout(fd, time_t(waitLimit), rb_ssl_set_server_name, name)
        case .startTLS:
            stream = mailstream_socket_open_timeout(fd, time_t(waitLimit))
        }
        guard let stream else {
            watchdog.close()
            close(fd)
            if let trip = watchdog.tripped { throw tripError(trip) }
            throw MailSourceError("tls handshake with \(url.host):\(url.port) failed (is it an imaps port?)")
        }
        let code = mailimap_connect(session, stream)
        guard Self.isSuccess(code) else { throw connectError(code, since: started) }
        watchdog.end()
        if url.security == .startTLS && !options.allowPlaintext {
            let tls = try step("STARTTLS") { mailimap_socket_starttls(session) }
            guard tls == MAILIMAP_NO_ERROR else {
                throw MailSourceError("STARTTLS failed at \(url.host):\(url.port) (the server may not offer TLS; use imaps:// or allow plaintext for a test server)")
            }
        }
        if url.security == .implicitTLS || !options.allowPlaintext {
            try verifyPeer(options.tls)
        }
        let login = try step("logging in") { mailimap_login(session, user, password) }
        guard login == MAILIMAP_NO_ERROR else {
            let reason = serverText
            if login == MAILIMAP_ERROR_LOGIN {
                throw MailSourceError("login failed for \(user) at \(url.host):\(url.port)\(reason.isEmpty ? "" : ": \(reason)")")
            }
            throw streamError(login, doing: "logging in")
        }
        mailbox = try serverMailboxName(url.mailbox)
    }

    // Also runs when init throws after the session exists: the one place it is freed.
    deinit {
        // After a cut or a lost line there is nobody to say goodbye to.
        if session.pointee.imap_stream != nil, watchdog.tripped == nil {
            watchdog.begin("logging out", seconds: waitLimit)
            _ = mailimap_logout(session)
        }
        watchdog.close()
        mailimap_free(session)
    }

    /// Runs one libetpan call under the watchdog: `what` names it in a timeout error.
    func step(_ what: String, maxBytes: Int = IMAPOptions.maxLineBytes, _ body: () -> Int32) throws -> Int32 {
        watchdog.begin(what, seconds: stepLimit, maxBytes: maxBytes)
        let code = body()
        watchdog.end()
        if let trip = watchdog.tripped { throw tripError(trip) }
        return code
    }

    // MARK: commands

    /// EXAMINE (read-only) or SELECT the mailbox.
    func open(readOnly: Bool) throws {
        let name = mailbox
        let code = try step(readOnly ? "EXAMINE \(name)" : "SELECT \(name)") {
            readOnly ? mailimap_examine(session, name) : mailimap_select(session, name)
        }
        guard code == MAILIMAP_NO_ERROR else {
            throw commandError(code, "cannot open mailbox \(name)")
        }
    }

    /// The server's name for `path`: IMAP URLs separate levels with `/` (`lists/netdev`),
    /// while the server uses its own hierarchy separator (Dovecot's Maildir++ default is
    /// `.`), which `LIST "" ""` reports.
    private func serverMailboxName(_ path: String) throws -> String {
        guard path.contains("/"), path.uppercased() != "INBOX" else { return path }
        var result: UnsafeMutablePointer<clist>?
        let code = try step("LIST") { mailimap_list(session, "", "", &result) }
        guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "LIST failed at \(url.host):\(url.port)") }
        defer { if let result { mailimap_list_result_free(result) } }
        var separator: CChar = 0
        if let result, let first = rb_clist_begin(result) {
            separator = rb_clist_content(first).assumingMemoryBound(to: mailimap_mailbox_list.self).pointee.mb_delimiter
        }
        // NIL: a flat namespace, nothing to translate.
        guard separator != 0, separator != CChar(UInt8(ascii: "/")) else { return path }
        let replacement = String(UnicodeScalar(UInt8(bitPattern: separator)))
        return path.replacingOccurrences(of: "/", with: replacement)
    }

    func uidSearch(_ search: IMAPOptions.Search) throws -> [UInt32] {
        switch search {
        case .recentPatches(let days):
            let since = Calendar(identifier: .gregorian).dateComponents(
                in: TimeZone(identifier: "UTC")!,
                from: Date().addingTimeInterval(-Double(min(max(days, 0), IMAPOptions.maxSearchDays)) * 86_400))
            let key = mailimap_search_key_new_multiple_empty()!
            mailimap_search_key_multiple_add(key, mailimap_search_key_new_subject(strdup("PATCH")))
            let date = mailimap_date_new(Int32(since.day!), Int32(since.month!), Int32(since.year!))
            mailimap_search_key_multiple_add(key, mailimap_search_key_new_since(date))
            return try uidSearch(key: key)
        case .raw(let program):
            guard !program.contains("\r"), !program.contains("\n") else {
                throw MailSourceError.usage("an IMAP search must be one line")
            }
            let code = try step("UID SEARCH", maxBytes: IMAPOptions.maxSearchBytes) {
                mailimap_custom_command(session, "UID SEARCH \(program)")
            }
            guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "UID SEARCH \(program) failed") }
            return Self.uids(session.pointee.imap_response_info?.pointee.rsp_search_result)
        }
    }

    /// UIDs of messages whose `Message-ID` header holds `messageID`.
    func uidSearch(messageID: String) throws -> [UInt32] {
        try uidSearch(key: mailimap_search_key_new_header(strdup("Message-ID"), strdup("<\(messageID)>")))
    }

    func uidSearch(key: UnsafeMutablePointer<mailimap_search_key>) throws -> [UInt32] {
        defer { mailimap_search_key_free(key) }
        var result: UnsafeMutablePointer<clist>?
        let code = try step("UID SEARCH", maxBytes: IMAPOptions.maxSearchBytes) { mailimap_uid_search(session, nil, key, &result) }
        guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "UID SEARCH failed in \(mailbox)") }
        defer { if let result { mailimap_search_result_free(result) } }
        return Self.uids(result)
    }

    /// Each message's size as the server announces it (RFC822.SIZE), by UID.
    func sizes(_ uids: [UInt32]) throws -> [UInt32: Int] {
        var sizes: [UInt32: Int] = [:]
        for batch in IMAPOptions.batches(uids, of: IMAPOptions.sizeBatch) {
            try fetch(batch, what: "UID FETCH RFC822.SIZE", maxBytes: IMAPOptions.maxSearchBytes,
                      attribute: mailimap_fetch_att_new_rfc822_size()) { uid, item in
                if item.att_type == Int32(MAILIMAP_MSG_ATT_RFC822_SIZE) { sizes[uid] = Int(item.att_data.att_rfc822_size) }
            }
        }
        return sizes
    }

    /// The raw bytes of each message (BODY.PEEK[], so nothing becomes \Seen), by UID, in
    /// one command that may receive at most `maxBytes`. A server that puts the password
    /// into a message does not get it into the spool, the prompts or the model's hands.
    func fetchBodies(_ uids: [UInt32], maxBytes: Int) throws -> [(uid: UInt32, bytes: Data)] {
        var bodies: [(UInt32, Data)] = []
        try fetch(uids, what: "UID FETCH BODY.PEEK[]", maxBytes: maxBytes,
                  attribute: mailimap_fetch_att_new_body_peek_section(mailimap_section_new(nil))) { uid, item in
            if item.att_type == Int32(MAILIMAP_MSG_ATT_BODY_SECTION),
               let section = item.att_data.att_body_section, let bytes = section.pointee.sec_body_part {
                bodies.append((uid, redactor.redact(Data(bytes: bytes, count: section.pointee.sec_length))))
            }
        }
        return bodies.sorted { $0.0 < $1.0 }
    }

    /// One UID FETCH of `attribute` (and UID); `visit` sees each static item with its
    /// message's UID while libetpan's result is alive.
    private func fetch(_ uids: [UInt32], what: String, maxBytes: Int,
                       attribute: UnsafeMutablePointer<mailimap_fetch_att>,
                       _ visit: (UInt32, mailimap_msg_att_static) -> Void) throws {
        let set = mailimap_set_new_empty()!
        for uid in uids { mailimap_set_add_single(set, uid) }
        let type = mailimap_fetch_type_new_fetch_att_list_empty()!
        mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid())
        mailimap_fetch_type_new_fetch_att_list_add(type, attribute)
        defer {
            mailimap_fetch_type_free(type)
            mailimap_set_free(set)
        }
        var result: UnsafeMutablePointer<clist>?
        defer { if let result { mailimap_fetch_list_free(result) } }
        let code = try step(what, maxBytes: maxBytes) { mailimap_uid_fetch(session, set, type, &result) }
        guard code == MAILIMAP_NO_ERROR, let result else { throw commandError(code, "\(what) failed in \(mailbox)") }
        var item = rb_clist_begin(result)
        while let current = item {
            let attributes = rb_clist_content(current).assumingMemoryBound(to: mailimap_msg_att.self)
            var uid: UInt32 = 0
            var found: [mailimap_msg_att_static] = []
            var attribute = rb_clist_begin(attributes.pointee.att_list)
            while let a = attribute {
                let entry = rb_clist_content(a).assumingMemoryBound(to: mailimap_msg_att_item.self)
                if entry.pointee.att_type == Int32(MAILIMAP_MSG_ATT_ITEM_STATIC), let value = entry.pointee.att_data.att_static {
                    if value.pointee.att_type == Int32(MAILIMAP_MSG_ATT_UID) {
                        uid = value.pointee.att_data.att_uid
                    } else {
                        found.append(value.pointee)
                    }
                }
                attribute = rb_clist_next(a)
            }
            for value in found { visit(uid, value) }
            item = rb_clist_next(current)
        }
    }

    /// APPEND `message` to the open mailbox with the given flags (`\Draft`).
    func append(_ message: Data, draft: Bool) throws {
        let flags = mailimap_flag_list_new_empty()!
        if draft { mailimap_flag_list_add(flags, mailimap_flag_new_draft()) }
        defer { mailimap_flag_list_free(flags) }
        let literal = LineEndings.crlf(message)
        let name = mailbox
        let code = try step("APPEND to \(name)") {
            literal.withUnsafeBytes { raw in
                mailimap_append(session, name, flags, nil, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
            }
        }
        guard code == MAILIMAP_NO_ERROR else { throw commandError(code, "APPEND to \(name) failed") }
    }

    // MARK: errors

    /// The server's last words, without the password, made safe to print, cut short.
    private var serverText: String {
        guard let text = session.pointee.imap_response else { return "" }
        let shown = TerminalText.visible(redactor.redact(String(cString: text)))
        return shown.count > IMAPOptions.maxShownReplyCharacters
            ? String(shown.prefix(IMAPOptions.maxShownReplyCharacters)) + " [...]" : shown
    }

    func commandError(_ code: Int32, _ what: String) -> MailSourceError {
        if code == MAILIMAP_ERROR_STREAM || code == MAILIMAP_ERROR_PARSE { return streamError(code, doing: what) }
        let reason = serverText
        return MailSourceError("\(what) at \(url.host):\(url.port)\(reason.isEmpty ? "" : ": \(reason)")")
    }

    private func streamError(_ code: Int32, doing what: String) -> MailSourceError {
        if let trip = watchdog.tripped { return tripError(trip) }
        if code == MAILIMAP_ERROR_PARSE {
            return MailSourceError("\(url.host):\(url.port) sent an answer that is not IMAP while \(what)")
        }
        return MailSourceError("connection to \(url.host):\(url.port) lost or timed out (limit \(formatted(timeout))) while \(what)")
    }

    private func tripError(_ trip: IMAPWatchdog.Trip) -> MailSourceError {
        switch trip {
        case .deadline(let operation, let seconds):
            return MailSourceError("\(url.host):\(url.port) did not finish \(operation) within \(formatted(seconds)) (4 times the \(formatted(timeout)) timeout); connection closed")
        case .tooLarge(let operation, let limit):
            return MailSourceError("\(url.host):\(url.port) sent more than \(limit) bytes for \(operation); connection closed")
        }
    }

    private func connectError(_ code: Int32, since started: Date) -> MailSourceError {
        if let trip = watchdog.tripped { return tripError(trip) }
        let elapsed = Date().timeIntervalSince(started)
        if elapsed >= waitLimit * 0.9 {
            return MailSourceError("timed out after \(formatted(timeout)) waiting for \(url.host):\(url.port)")
        }
        switch Int(code) {
        case MAILIMAP_ERROR_CONNECTION_REFUSED:
            return MailSourceError("connection refused by \(url.host):\(url.port)")
        case MAILIMAP_ERROR_SSL:
            return MailSourceError("tls handshake with \(url.host):\(url.port) failed (is it an imaps port?)")
        case MAILIMAP_ERROR_PARSE:
            return MailSourceError("\(url.host):\(url.port) did not greet as an IMAP server")
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

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
