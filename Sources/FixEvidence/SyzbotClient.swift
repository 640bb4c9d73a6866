import CurlKit
import Foundation

/// Where the syzbot dashboard is and how to talk to it.
public struct SyzbotConfiguration: Sendable {
    public static let defaultBaseURL = "https://syzkaller.appspot.com"

    /// `[syzbot] url`, no trailing slash.
    public var baseURL: String
    public var timeouts: TransferTimeouts
    /// Attempts for one request, the first included; only a 5xx, 429 or dropped connection
    /// is tried again.
    public var attempts: Int
    /// `$XDG_CACHE_HOME/reviewbot/syzbot`; nil fetches every time.
    public var cacheDirectory: URL?
    public var tls: TLSOptions

    /// Seconds before a request is tried again: the dashboard runs on App Engine, whose
    /// transient 500s clear within a second or so.
    public static let retryDelaySeconds = 0.5

    public init(baseURL: String = SyzbotConfiguration.defaultBaseURL,
                timeouts: TransferTimeouts = TransferTimeouts(connect: 10, total: 60),
                attempts: Int = 2, cacheDirectory: URL? = nil, tls: TLSOptions = TLSOptions()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeouts = timeouts
        self.attempts = max(1, attempts)
        self.cacheDirectory = cacheDirectory
        self.tls = tls
    }
}

/// What the dashboard gave for one bug: its JSON and the parsed reports of its first
/// crashes (`FixEvidenceLimits.reportsPerBug`).
public struct SyzbotBugEvidence: Sendable, Hashable {
    public var reference: SyzbotReference
    public var bug: SyzbotBug
    /// Parsed reports, first crash first; a report that could not be fetched is a note.
    public var reports: [SyzbotReport]
    /// What went wrong with a part of it, or that it came from the cache.
    public var notes: [String]
    /// The bug page, for the report and the model: `{dashboard}/bug?extid=...`.
    public var pageURL: String

    public init(reference: SyzbotReference, bug: SyzbotBug, reports: [SyzbotReport], notes: [String] = [],
                pageURL: String) {
        self.reference = reference
        self.bug = bug
        self.reports = reports
        self.notes = notes
        self.pageURL = pageURL
    }

    /// Any crash of the bug has a C or syz reproducer.
    public var hasReproducer: Bool { bug.crashes?.contains(where: \.hasReproducer) ?? false }
}

/// The syzbot dashboard over libcurl, with an on-disk cache.
public struct SyzbotClient: Sendable {
    public let client: CurlClient
    public let configuration: SyzbotConfiguration

    public init(client: CurlClient, configuration: SyzbotConfiguration) {
        self.client = client
        self.configuration = configuration
    }

    /// The bug page a reference names.
    public func pageURL(_ reference: SyzbotReference) -> String {
        "\(configuration.baseURL)/bug?\(reference.key.rawValue)=\(reference.value)"
    }

    /// The bug's JSON and the reports of its first crashes. A report that cannot be fetched
    /// leaves a note; a bug that cannot be fetched throws.
    public func evidence(for reference: SyzbotReference) async throws(FixEvidenceError) -> SyzbotBugEvidence {
        let cache = SyzbotCache(root: configuration.cacheDirectory, baseURL: configuration.baseURL)
        var notes: [String] = []
        let url = pageURL(reference) + "&json=1"
        let data: Data
        if let cached = cache.bug(reference) {
            data = cached
        } else {
            data = try await get(url, what: "bug \(reference)", accept: "application/json",
                                 limit: FixEvidenceLimits.bugJSONBytes)
            cache.storeBug(reference, data)
        }
        let bug = try SyzbotBug.decode(data, bug: reference)
        var reports: [SyzbotReport] = []
        for crash in (bug.crashes ?? []).prefix(FixEvidenceLimits.reportsPerBug) {
            guard let path = SyzbotBug.dashboardPath(crash.crashReportLink) else {
                if crash.crashReportLink != nil {
                    notes.append("syzbot bug \(reference): a crash's report link is not a dashboard path; not followed")
                }
                continue
            }
            do {
                let text: Data
                if let cached = cache.report(path) {
                    text = cached
                } else {
                    text = try await get(configuration.baseURL + path, what: "a crash report of bug \(reference)",
                                         accept: "text/plain", limit: FixEvidenceLimits.reportBytes)
                    cache.storeReport(path, text)
                }
                reports.append(SyzbotReport.parse(String(decoding: text, as: UTF8.self)))
            } catch {
                notes.append("\(error)")
            }
        }
        return SyzbotBugEvidence(reference: reference, bug: bug, reports: reports, notes: notes,
                                 pageURL: pageURL(reference))
    }

    /// One GET, tried again on a transient failure; the body is refused past `limit`.
    private func get(_ url: String, what: String, accept: String, limit: Int) async throws(FixEvidenceError) -> Data {
        var request = HTTPRequest(url: url, headers: ["Accept": accept])
        request.timeouts = configuration.timeouts
        request.tls = configuration.tls
        var attempt = 1
        while true {
            do {
                let response = try await client.send(request)
                if response.status == 404 {
                    throw FixEvidenceError(.notFound, "the syzbot dashboard at \(configuration.baseURL) has no \(what) "
                        + "(http 404); check the Reported-by:/Closes: tag")
                }
                let transient = response.status >= 500 || response.status == 429
                if transient, attempt < configuration.attempts {
                    attempt += 1
                    try? await Task.sleep(nanoseconds: UInt64(SyzbotConfiguration.retryDelaySeconds * 1e9))
                    continue
                }
                guard response.isSuccess else {
                    throw FixEvidenceError(.unavailable, "the syzbot dashboard at \(configuration.baseURL) answered "
                        + "http \(response.status) for \(what)", underlying: CurlError.httpStatus(response))
                }
                guard response.body.count <= limit else {
                    throw FixEvidenceError(.badAnswer, "the syzbot dashboard sent \(response.body.count) bytes for "
                        + "\(what), over the \(limit >> 10) KB it can be")
                }
                return response.body
            } catch let error as FixEvidenceError {
                throw error
            } catch let error as CurlError {
                if error.isTransient, attempt < configuration.attempts {
                    attempt += 1
                    try? await Task.sleep(nanoseconds: UInt64(SyzbotConfiguration.retryDelaySeconds * 1e9))
                    continue
                }
                throw FixEvidenceError(.unavailable, "cannot reach the syzbot dashboard at \(configuration.baseURL) "
                    + "for \(what): \(error)", underlying: error)
            } catch {
                throw FixEvidenceError(.unavailable, "cannot reach the syzbot dashboard for \(what): \(error)")
            }
        }
    }
}
