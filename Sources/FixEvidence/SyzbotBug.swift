import Foundation

/// A bug as the syzbot dashboard's public JSON API (version 1) describes it:
/// `GET {dashboard}/bug?extid=<extid>&json=1`. Fields the API may add later are ignored;
/// a field of the wrong type is an error.
public struct SyzbotBug: Sendable, Hashable, Codable {
    public struct Commit: Sendable, Hashable, Codable {
        public var title: String
        public var link: String?
        public var hash: String?
        public var repo: String?
        public var branch: String?
        public var date: String?

        public init(title: String, link: String? = nil, hash: String? = nil, repo: String? = nil,
                    branch: String? = nil, date: String? = nil) {
            self.title = title
            self.link = link
            self.hash = hash
            self.repo = repo
            self.branch = branch
            self.date = date
        }
    }

    public struct Crash: Sendable, Hashable, Codable {
        public var title: String?
        /// Dashboard paths (`/text?tag=ReproSyz&x=...`); present when a reproducer exists.
        public var syzReproducer: String?
        public var cReproducer: String?
        public var kernelConfig: String?
        public var kernelSourceGit: String?
        public var kernelSourceCommit: String?
        public var syzkallerCommit: String?
        public var architecture: String?
        /// `/text?tag=CrashReport&x=...`: the report text.
        public var crashReportLink: String?

        enum CodingKeys: String, CodingKey {
            case title, architecture
            case syzReproducer = "syz-reproducer"
            case cReproducer = "c-reproducer"
            case kernelConfig = "kernel-config"
            case kernelSourceGit = "kernel-source-git"
            case kernelSourceCommit = "kernel-source-commit"
            case syzkallerCommit = "syzkaller-commit"
            case crashReportLink = "crash-report-link"
        }

        public init(title: String? = nil, syzReproducer: String? = nil, cReproducer: String? = nil,
                    kernelConfig: String? = nil, kernelSourceGit: String? = nil, kernelSourceCommit: String? = nil,
                    syzkallerCommit: String? = nil, architecture: String? = nil, crashReportLink: String? = nil) {
            self.title = title
            self.syzReproducer = syzReproducer
            self.cReproducer = cReproducer
            self.kernelConfig = kernelConfig
            self.kernelSourceGit = kernelSourceGit
            self.kernelSourceCommit = kernelSourceCommit
            self.syzkallerCommit = syzkallerCommit
            self.architecture = architecture
            self.crashReportLink = crashReportLink
        }

        /// A C or syz reproducer is linked.
        public var hasReproducer: Bool {
            !(cReproducer ?? "").isEmpty || !(syzReproducer ?? "").isEmpty
        }
    }

    public var version: Int?
    public var title: String?
    public var id: String?
    public var status: String?
    public var fixCommits: [Commit]?
    public var causeCommit: Commit?
    public var discussions: [String]?
    public var crashes: [Crash]?

    enum CodingKeys: String, CodingKey {
        case version, title, id, status, discussions, crashes
        case fixCommits = "fix-commits"
        case causeCommit = "cause-commit"
    }

    public init(version: Int? = 1, title: String? = nil, id: String? = nil, status: String? = nil,
                fixCommits: [Commit]? = nil, causeCommit: Commit? = nil, discussions: [String]? = nil,
                crashes: [Crash]? = nil) {
        self.version = version
        self.title = title
        self.id = id
        self.status = status
        self.fixCommits = fixCommits
        self.causeCommit = causeCommit
        self.discussions = discussions
        self.crashes = crashes
    }

    /// Decodes the dashboard's answer; bytes over `FixEvidenceLimits.bugJSONBytes` or JSON
    /// of the wrong shape are an error naming the bug.
    public static func decode(_ data: Data, bug: SyzbotReference) throws(FixEvidenceError) -> SyzbotBug {
        guard data.count <= FixEvidenceLimits.bugJSONBytes else {
            throw FixEvidenceError(.badAnswer, "the syzbot dashboard's answer for \(bug) is \(data.count) bytes, "
                + "over the \(FixEvidenceLimits.bugJSONBytes >> 10) KB a bug's JSON can be")
        }
        do {
            return try JSONDecoder().decode(SyzbotBug.self, from: data)
        } catch {
            throw FixEvidenceError(.badAnswer, "the syzbot dashboard's answer for \(bug) is not the bug JSON "
                + "its API (version 1) describes: \(error)")
        }
    }

    /// A dashboard path from the JSON, checked: `/text?...` or `/x/...` on the dashboard
    /// itself. A link elsewhere (another host, a scheme, `..`) is not followed.
    public static func dashboardPath(_ link: String?) -> String? {
        guard let link, link.hasPrefix("/"), !link.hasPrefix("//"), link.utf8.count <= FixEvidenceLimits.linkBytes,
              !link.contains(".."), !link.contains("\\"),
              link.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              link.hasPrefix("/text?") || link.hasPrefix("/x/") else { return nil }
        return link
    }
}
