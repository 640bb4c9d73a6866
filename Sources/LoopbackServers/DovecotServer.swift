import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway Dovecot (the real IMAP server) in a temporary directory, listening on
/// 127.0.0.1: plaintext IMAP always, IMAPS and STARTTLS too when `tls` is on (a
/// self-signed certificate made with openssl; `certificateFile` is its PEM to trust).
public final class DovecotServer: Sendable {
    public static let binary = "/usr/sbin/dovecot"
    public static let doveadm = "/usr/bin/doveadm"

    public let directory: URL
    public let imapPort: UInt16
    public let imapsPort: UInt16?
    /// The server's self-signed certificate (PEM) when started with TLS.
    public let certificateFile: String?
    private let pid: pid_t
    private let stopped = Locked(false)

    /// Starts Dovecot with one user per entry of `users` (name -> password). With `tls`, the
    /// certificate names `localhost` and 127.0.0.1, or only `certificateHost` when given (to
    /// test that a certificate for another host is refused).
    public init(users: [String: String], tls: Bool = false, certificateHost: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw LoopbackError("dovecot is not installed (\(Self.binary) missing): apt-get install dovecot-imapd, or run scripts/install-deps")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-dovecot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("mail"), withIntermediateDirectories: true)
        directory = dir
        // The login and mail processes run as unprivileged users and must reach the files.
        chmod(dir.path, 0o755)

        let asRoot = getuid() == 0
        let mailUser = asRoot ? "dovecot" : Self.currentUserName()
        guard let account = getpwnam(mailUser) else { throw LoopbackError("no user \(mailUser) for dovecot mail") }
        let uid = account.pointee.pw_uid, gid = account.pointee.pw_gid
        let loginUser = asRoot ? "dovenull" : mailUser

        imapPort = try Self.freePort()
        imapsPort = tls ? try Self.freePort() : nil
        if tls {
            let cert = dir.appendingPathComponent("cert.pem").path
            let key = dir.appendingPathComponent("key.pem").path
            let result = try ChildProcess.run([
                "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                "-days", "2", "-subj", "/CN=\(certificateHost ?? "localhost")",
                "-addext", "subjectAltName=" + (certificateHost.map { "DNS:\($0)" } ?? "DNS:localhost,IP:127.0.0.1"),
            ])
            guard result.status == 0 else { throw LoopbackError("openssl could not make a certificate: \(result.output)") }
            chmod(key, 0o644)
            certificateFile = cert
        } else {
            certificateFile = nil
        }

        let users = users.map { "\($0.key):{PLAIN}\($0.value)::::::" }.sorted().joined(separator: "\n") + "\n"
        try users.write(to: dir.appendingPathComponent("users"), atomically: true, encoding: .utf8)
        try Self.config(dir: dir.path, uid: uid, gid: gid, mailUser: mailUser, loginUser: loginUser,
                        imapPort: imapPort, imapsPort: imapsPort, certificate: certificateFile)
            .write(to: dir.appendingPathComponent("dovecot.conf"), atomically: true, encoding: .utf8)
        chown(dir.appendingPathComponent("mail").path, uid, gid)

        pid = try ChildProcess.spawn([Self.binary, "-F", "-c", dir.appendingPathComponent("dovecot.conf").path],
                                     outputFile: dir.appendingPathComponent("stdout.log").path)
        try waitUntilListening()
    }

    deinit { stop() }

    /// Stops Dovecot (SIGTERM to the master) and removes its directory.
    public func stop() {
        let first = stopped.withLock { done -> Bool in defer { done = true }; return !done }
        guard first else { return }
        kill(pid, SIGTERM)
        _ = ChildProcess.wait(pid)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Puts `message` into `user`'s mailbox (Maildir `new/`), as a local delivery would,
    /// and lets Dovecot index it at once so UIDs follow delivery order.
    public func deliver(_ message: Data, to user: String, mailbox: String = "INBOX") throws {
        let maildir = directory.appendingPathComponent("mail/\(user)/Maildir")
            .appendingPathComponent(mailbox == "INBOX" ? "" : ".\(mailbox)")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let name = "\(Int(Date().timeIntervalSince1970)).M\(UUID().uuidString.prefix(8))P\(getpid()).reviewbot"
        let file = maildir.appendingPathComponent("new/\(name)")
        try message.write(to: file)
        _ = try doveadm(["mailbox", "status", "-u", user, "messages", mailbox])
    }

    /// Runs doveadm against this instance (`["fetch", "-u", "test", "flags", "mailbox", "INBOX", "all"]`).
    public func doveadm(_ arguments: [String]) throws -> String {
        try chownMail()
        let result = try ChildProcess.run([Self.doveadm, "-c", directory.appendingPathComponent("dovecot.conf").path] + arguments)
        guard result.status == 0 else { throw LoopbackError("doveadm \(arguments.joined(separator: " ")) failed: \(result.output)") }
        return result.output
    }

    /// The server log, for diagnosing failures.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("dovecot.log"), encoding: .utf8)) ?? ""
    }

    private func chownMail() throws {
        let mail = directory.appendingPathComponent("mail").path
        guard getuid() == 0, let account = getpwnam("dovecot") else { return }
        let result = try ChildProcess.run(["/bin/chown", "-R", "\(account.pointee.pw_uid):\(account.pointee.pw_gid)", mail])
        guard result.status == 0 else { throw LoopbackError("chown of \(mail) failed: \(result.output)") }
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Self.canConnect(imapPort) && (imapsPort.map(Self.canConnect) ?? true) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                stopped.withLock { $0 = true }
                throw LoopbackError("dovecot exited at start: \(log) \(stdoutLog)")
            }
            usleep(50_000)
        }
        stop()
        throw LoopbackError("dovecot did not listen on 127.0.0.1:\(imapPort) within 15s: \(log)")
    }

    private var stdoutLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("stdout.log"), encoding: .utf8)) ?? ""
    }

    static func canConnect(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// An ephemeral port that was free a moment ago (Dovecot needs a number in its config).
    public static func freePort() throws -> UInt16 {
        let listener = try LoopbackListener { _ in }
        defer { listener.stop() }
        return listener.port
    }

    private static func currentUserName() -> String {
        guard let account = getpwuid(getuid()) else { return "root" }
        return String(cString: account.pointee.pw_name)
    }

    private static func config(dir: String, uid: uid_t, gid: gid_t, mailUser: String, loginUser: String,
                               imapPort: UInt16, imapsPort: UInt16?, certificate: String?) -> String {
        // Dovecot's parser rejects anything after `{` on the same line.
        var lines = [
            "protocols = imap",
            "listen = 127.0.0.1",
            "base_dir = \(dir)/run",
            "state_dir = \(dir)/state",
            "instance_name = reviewbot-test-\(imapPort)",
            "log_path = \(dir)/dovecot.log",
            "default_login_user = \(loginUser)",
            "default_internal_user = \(mailUser)",
            "first_valid_uid = \(uid)",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "mail_location = maildir:\(dir)/mail/%u/Maildir",
            // IDLE looks for new mail this often where inotify does not tell it (watch tests).
            "mailbox_idle_check_interval = 1 secs",
            "namespace inbox {",
            "  inbox = yes",
            "  mailbox Drafts {",
            "    special_use = \\Drafts",
            "    auto = create",
            "  }",
            "}",
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN username_format=%u \(dir)/users",
            "}",
            "userdb {",
            "  driver = static",
            "  args = uid=\(uid) gid=\(gid) home=\(dir)/mail/%u",
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            "    address = 127.0.0.1",
            "    port = \(imapPort)",
            "  }",
            "  inet_listener imaps {",
            "    address = 127.0.0.1",
            "    port = \(imapsPort ?? 0)",
            "  }",
            "  chroot =",
            "}",
            "service anvil {",
            "  chroot =",
            "}",
        ]
        if let certificate {
            lines += ["ssl = yes", "ssl_cert = <\(certificate)", "ssl_key = <\(dir)/key.pem"]
        } else {
            lines += ["ssl = no"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
