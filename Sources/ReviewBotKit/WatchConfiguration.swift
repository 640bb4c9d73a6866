import Foundation
import MboxParser

extension Configuration {
    /// `[watch]`: how `reviewbot watch` polls, waits and picks the series it reviews.
    public struct Watch: Sendable, Equatable {
        /// Seconds between two reads of a lore feed, or of an IMAP folder whose server has
        /// no IDLE. lore asks robots to be gentle; five minutes is what b4's own tooling
        /// and most list bots use.
        public var pollSeconds = 300.0
        /// A series still missing parts is reviewed this long after its first part came,
        /// with the missing slots noted (parts of one posting arrive within minutes).
        public var settleMinutes = 30.0
        /// Series reviewed at once (each also runs `[model] concurrency` requests).
        public var concurrency = 2
        /// Dollars a day all reviews may cost (0: no limit); beyond it series wait.
        public var dailyBudgetUSD = 20.0
        /// Addresses that are me, comma-separated: only series sent To or Cc one of them
        /// are reviewed. Empty: no such filter.
        public var me: String?
        /// List-Id values (`netdev.vger.kernel.org`), comma-separated.
        public var listIDs: String?
        /// Only series whose subject this regular expression finds (any case).
        public var subject: String?
        /// Authors' addresses never reviewed, comma-separated.
        public var skipAuthors: String?
        /// File patterns in MAINTAINERS `F:` style, comma-separated.
        public var files: String?
        /// A MAINTAINERS file and the entry of it whose files a series must touch.
        public var maintainers: String?
        public var entry: String?
    }
}

extension Configuration.Watch {
    /// A comma-separated setting as its items.
    static func items(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The filter these settings describe; reads the MAINTAINERS file when one is named.
    public func filter() throws -> WatchFilter {
        var patterns = FilePatterns(files: Self.items(files))
        if let maintainers {
            guard let entry, !entry.isEmpty else {
                throw ReviewBotError("[watch] maintainers (--maintainers) needs an entry (--entry \"SOUND\")", kind: .usage)
            }
            let file: MaintainersFile
            do { file = try MaintainersFile(path: maintainers) } catch {
                throw ReviewBotError("\(error)", kind: .usage)
            }
            switch file.entry(titled: entry) {
            case .success(let found):
                let own = found.filePatterns
                patterns.files += own.files
                patterns.excluded += own.excluded
                patterns.regexes += own.regexes
            case .failure(let missing):
                let hint = missing.suggestions.isEmpty ? "" : "; did you mean: " + missing.suggestions.joined(separator: ", ")
                throw ReviewBotError("no entry '\(entry)' in \(maintainers)\(hint)", kind: .usage)
            }
        } else if entry != nil {
            throw ReviewBotError("--entry needs --maintainers FILE ([watch] maintainers)", kind: .usage)
        }
        let matcher: FilePatterns.Matcher?
        do { matcher = patterns.isEmpty ? nil : try patterns.compiled() } catch {
            throw ReviewBotError("\(error)", kind: .usage)
        }
        var subjectRegex: NSRegularExpression?
        if let subject, !subject.isEmpty {
            do { subjectRegex = try NSRegularExpression(pattern: subject, options: [.caseInsensitive]) } catch {
                throw ReviewBotError("[watch] subject '\(subject)' is not a regular expression", kind: .usage)
            }
        }
        return WatchFilter(listIDs: Self.items(listIDs), me: Self.items(me), files: matcher, subject: subjectRegex,
                           skipAuthors: Self.items(skipAuthors))
    }
}
