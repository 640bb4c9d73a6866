import Foundation
import MboxParser

/// A syzbot bug a patch says it fixes: by the bug's `extid` (the hash in
/// `Reported-by: syzbot+<extid>@syzkaller.appspotmail.com`, or `bug?extid=` in a link) or
/// by its dashboard `id` (`bug?id=`).
public struct SyzbotReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Key: String, Sendable, Hashable, Codable {
        case extid
        case id
    }

    public var key: Key
    /// Lowercase hex, checked: it goes into a URL and a cache file name.
    public var value: String
    /// The commit-message line it was read from, as written (the anchor of a finding about it).
    public var line: String

    public init?(key: Key, value: String, line: String) {
        let lowered = value.lowercased()
        guard Self.isBugHash(lowered) else { return nil }
        self.key = key
        self.value = lowered
        self.line = line
    }

    /// `extid=8a7f78e2f99977bb8765` or `id=...`.
    public var description: String { "\(key.rawValue)=\(value)" }

    /// extids are 20 hex digits and ids 40 (a SHA-1); anything from 8 to 64 hex digits is
    /// accepted so a future longer hash still works, and nothing else can reach a URL.
    static func isBugHash(_ text: String) -> Bool {
        (8...64).contains(text.utf8.count) && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Hosts of the syzbot dashboard that a `Closes:` or `Link:` may point at.
    static let dashboardHosts: Set<String> = ["syzkaller.appspot.com", "syzbot.org", "www.syzbot.org"]
    /// The domain of syzbot's per-bug reporting addresses.
    static let reportingDomain = "syzkaller.appspotmail.com"

    /// Every syzbot bug the trailers name, in order, without repeats (the same bug often
    /// comes as a `Reported-by:` and a `Closes:`; the first line that names it is kept).
    public static func all(in trailers: [Trailer]) -> [SyzbotReference] {
        var seen = Set<String>()
        var found: [SyzbotReference] = []
        for trailer in trailers {
            guard let reference = parse(trailer), seen.insert(reference.description).inserted else { continue }
            found.append(reference)
        }
        return found
    }

    /// The bug one trailer names, if any.
    public static func parse(_ trailer: Trailer) -> SyzbotReference? {
        let line = "\(trailer.name): \(trailer.value)"
        switch trailer.name.lowercased() {
        case "reported-by", "reported-and-tested-by", "tested-by":
            guard let email = trailer.person?.email ?? bareEmail(trailer.value) else { return nil }
            let parts = email.lowercased().split(separator: "@", maxSplits: 1)
            guard parts.count == 2, parts[1] == reportingDomain, parts[0].hasPrefix("syzbot+") else { return nil }
            return SyzbotReference(key: .extid, value: String(parts[0].dropFirst("syzbot+".count)), line: line)
        case "closes", "link", "buglink":
            return fromURL(trailer.value, line: line)
        default:
            return nil
        }
    }

    /// `https://syzkaller.appspot.com/bug?extid=X` (or `?id=X`, other parameters in any order).
    static func fromURL(_ text: String, line: String) -> SyzbotReference? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        guard let components = URLComponents(string: trimmed), let host = components.host?.lowercased(),
              dashboardHosts.contains(host), components.path == "/bug" else { return nil }
        let items = components.queryItems ?? []
        if let extid = items.first(where: { $0.name == "extid" })?.value {
            return SyzbotReference(key: .extid, value: extid, line: line)
        }
        if let id = items.first(where: { $0.name == "id" })?.value {
            return SyzbotReference(key: .id, value: id, line: line)
        }
        return nil
    }

    private static func bareEmail(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.contains("@") && !trimmed.contains(" ") ? trimmed : nil
    }
}
