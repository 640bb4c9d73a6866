import Foundation

/// Fetched bugs and reports under `$XDG_CACHE_HOME/reviewbot/syzbot/<host>/`. A report
/// text never changes (its `x=` id names one crash), so it is kept for a month; a bug's
/// JSON changes as fixes land, so it is kept for a day. The directory is kept under
/// `maxBytes` by removing the oldest files when a new one is written. A cache that cannot
/// be read or written only costs a download.
struct SyzbotCache {
    /// A day: a bug's fix commits and status change on that scale.
    static let bugMaxAge: TimeInterval = 86_400
    /// Thirty days: a report's text is fixed once the crash is recorded.
    static let reportMaxAge: TimeInterval = 30 * 86_400
    /// 64 MB: a few thousand reports; more than years of reviewing syzbot fixes needs.
    static let maxBytes = 64 << 20

    let directory: URL?
    let maxBytes: Int

    init(root: URL?, baseURL: String, maxBytes: Int = SyzbotCache.maxBytes) {
        directory = root.map { $0.appendingPathComponent(Self.safeName(Self.host(of: baseURL))) }
        self.maxBytes = maxBytes
    }

    func bug(_ reference: SyzbotReference) -> Data? {
        read("bug-\(reference.key.rawValue)-\(reference.value).json", maxAge: Self.bugMaxAge)
    }

    func storeBug(_ reference: SyzbotReference, _ data: Data) {
        write("bug-\(reference.key.rawValue)-\(reference.value).json", data)
    }

    func report(_ path: String) -> Data? {
        Self.reportName(path).flatMap { read($0, maxAge: Self.reportMaxAge) }
    }

    func storeReport(_ path: String, _ data: Data) {
        if let name = Self.reportName(path) { write(name, data) }
    }

    /// `/text?tag=CrashReport&x=12ab` -> `CrashReport-12ab.txt`; nil for any other shape.
    static func reportName(_ path: String) -> String? {
        guard let items = URLComponents(string: path)?.queryItems,
              let tag = items.first(where: { $0.name == "tag" })?.value,
              let x = items.first(where: { $0.name == "x" })?.value,
              (1...40).contains(tag.count), tag.allSatisfy({ $0.isASCII && $0.isLetter }),
              (1...64).contains(x.count), x.allSatisfy({ $0.isHexDigit }) else { return nil }
        return "\(tag)-\(x.lowercased()).txt"
    }

    private func read(_ name: String, maxAge: TimeInterval) -> Data? {
        guard let file = directory?.appendingPathComponent(name),
              let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let modified = attributes[.modificationDate] as? Date,
              Date().timeIntervalSince(modified) < maxAge else { return nil }
        return try? Data(contentsOf: file)
    }

    private func write(_ name: String, _ data: Data) {
        guard let directory else { return }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? data.write(to: directory.appendingPathComponent(name), options: .atomic)
        trim()
    }

    /// Removes the oldest files until the directory holds at most `maxBytes`.
    private func trim() {
        guard let directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        var files: [(path: String, size: Int, modified: Date)] = []
        for name in names {
            let path = directory.appendingPathComponent(name).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date else { continue }
            files.append((path, size, modified))
        }
        var total = files.reduce(0) { $0 + $1.size }
        for file in files.sorted(by: { $0.modified < $1.modified }) where total > maxBytes {
            try? FileManager.default.removeItem(atPath: file.path)
            total -= file.size
        }
    }

    static func host(of url: String) -> String {
        guard let range = url.range(of: "://") else { return url }
        return String(url[range.upperBound...].prefix { $0 != "/" })
    }

    /// A file name that cannot leave the cache directory.
    static func safeName(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
            .replacingOccurrences(of: "..", with: "__")
    }
}
