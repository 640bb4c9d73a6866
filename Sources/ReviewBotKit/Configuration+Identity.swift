import CurlKit
import Foundation
import MboxParser
import ReviewEngine

extension Configuration {
    /// Who the drafts are from, found the way git send-email and b4 find it: `[drafts]
    /// from`, else git's `sendemail.from`, else git's `user.name` and `user.email`, else
    /// the environment (GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, then EMAIL). git runs with
    /// `environment`, so GIT_CONFIG_GLOBAL, HOME and the repository of the current
    /// directory (or `directory`) count as they do for git itself. `configFile` is named in
    /// the error.
    public func reviewer(environment: [String: String] = ProcessInfo.processInfo.environment,
                         configFile: String? = nil, directory: URL? = nil) throws -> MailAddress {
        if let from = drafts.from {
            guard let address = Self.singleAddress(from) else {
                throw ReviewBotError("drafts.from in \(configFile ?? "the config") must be 'Your Name <you@example.org>', not '\(TerminalText.visible(from))'")
            }
            return address
        }
        let git = GitConfig(environment: environment, directory: directory)
        if let from = git.value("sendemail.from") {
            guard let address = Self.singleAddress(from) else {
                throw ReviewBotError("git's sendemail.from is not one address ('\(TerminalText.visible(from))'); fix it, or set [drafts] from in \(configFile ?? "the config")")
            }
            return address
        }
        if let email = git.value("user.email"), MailHeaderText.isAddrSpec(email) {
            return MailAddress(name: MailHeaderText.singleLine(git.value("user.name") ?? ""), email: email)
        }
        if let email = environment["GIT_AUTHOR_EMAIL"] ?? environment["EMAIL"], MailHeaderText.isAddrSpec(email) {
            return MailAddress(name: MailHeaderText.singleLine(environment["GIT_AUTHOR_NAME"] ?? ""), email: email)
        }
        throw ReviewBotError("who are the drafts from? set [drafts] from = \"Your Name <you@example.org>\" in \(configFile ?? Self.defaultPath(environment: environment)), or git config --global sendemail.from (or user.name and user.email)")
    }

    /// `Name <local@domain>` or a bare address, exactly one, safe for a From header.
    static func singleAddress(_ text: String) -> MailAddress? {
        let addresses = MailAddress.parseList(text)
        guard addresses.count == 1, MailHeaderText.isAddrSpec(addresses[0].email) else { return nil }
        return MailAddress(name: MailHeaderText.singleLine(addresses[0].name), email: addresses[0].email)
    }
}

/// `git config --get KEY`, run with the given environment in the current directory.
struct GitConfig {
    var environment: [String: String]
    /// Where git runs, for the repository's own config; nil is the current directory.
    var directory: URL?

    /// git answers from local files; a git that takes longer is stuck (a hung credential
    /// helper or network file system) and is given up on.
    static let timeoutSeconds = 10.0
    /// A configuration value longer than this is not an identity.
    static let maxOutputBytes = 4096

    /// The value, or nil when it is unset, empty, or git is not there.
    func value(_ key: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "config", "--get", key]
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch { return nil }
        // A value fits the pipe's buffer, so git never blocks writing it before it exits.
        if done.wait(timeout: .now() + Self.timeoutSeconds) == .timedOut {
            process.terminate()
            return nil
        }
        guard process.terminationStatus == 0 else { return nil }
        let data = output.fileHandleForReading.readData(ofLength: Self.maxOutputBytes)
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let value = line.trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
