import CurlKit
import FixEvidence
import Foundation
import MailSources
import MboxParser
import ReviewEngine

/// Facts a kernel tree gives the fix checks: what a `Fixes:` id names, and who calls the
/// functions on a report's stacks. Built over KernelTree by the tree context.
public struct TreeFacts: Sendable {
    /// The tree, for findings and the report (`HEAD of /src/linux`).
    public var description: String
    public var fixedCommit: @Sendable (FixesTag, _ patchFiles: [String]) async -> FixedCommitFacts
    /// For each function, the functions that call it in the tree after the patch (index);
    /// nil when the tree could not be read.
    public var callers: @Sendable ([String], Int) async -> [String: [String]]?

    public init(description: String,
                fixedCommit: @escaping @Sendable (FixesTag, [String]) async -> FixedCommitFacts,
                callers: @escaping @Sendable ([String], Int) async -> [String: [String]]?) {
        self.description = description
        self.fixedCommit = fixedCommit
        self.callers = callers
    }
}

/// Gathers each patch's evidence before the review: the syzbot bugs it closes (from the
/// dashboard), its `Fixes:` and stack checks (from the tree), the review of earlier
/// revisions (from lore), AI reviewers' comments (from the threads), and our own earlier
/// findings (from the state database). Nothing here fails the review: what cannot be had
/// is a note.
struct EvidenceGatherer: Sendable {
    var syzbot: SyzbotClient?
    var lore: LoreClient?
    var earlierRounds: Int
    var policy: ReviewerPolicy
    var tree: TreeFacts?
    var store: StateStore?

    func gather(series: PatchSeries, review: ReviewSeries, messages: [SeriesMessage]) async -> [PatchEvidence] {
        var evidence = review.patches.map { _ in PatchEvidence() }
        var bugs: [String: Result<SyzbotBugEvidence, FixEvidenceError>] = [:]
        for (index, item) in review.patches.enumerated() {
            let claims = PatchClaims.read(item.patch)
            let files = Array(Set(item.patch.files.flatMap { [$0.newPath, $0.oldPath].compactMap { $0 } })).sorted()
            let functions = ChangedFunctions.all(in: item.patch)
            for tag in claims.fixes {
                let facts = await tree?.fixedCommit(tag, files)
                evidence[index].checks += FixesChecks.evaluate(tag, facts: facts, patchFiles: files,
                                                               patchFunctions: functions, tree: tree?.description ?? "")
            }
            for reference in claims.syzbot {
                var bug: SyzbotBugEvidence?
                var failure: String?
                if let syzbot {
                    let key = reference.description
                    if bugs[key] == nil {
                        do { bugs[key] = .success(try await syzbot.evidence(for: reference)) } catch { bugs[key] = .failure(error) }
                    }
                    switch bugs[key]! {
                    case .success(let found):
                        bug = found
                        evidence[index].syzbot.append(found)
                        evidence[index].notes += found.notes
                    case .failure(let error):
                        failure = "\(error)"
                        evidence[index].notes.append("\(error); the patch was reviewed without the report")
                    }
                } else {
                    failure = "syzbot lookups are off ([syzbot] enabled = false)"
                }
                var callers: [String: [String]]?
                if let tree, let bug {
                    let onStacks = StackCheck.stackFunctions(bug)
                    callers = functions.contains(where: onStacks.contains) ? [:]
                        : await tree.callers(Array(StackCheck.lookupOrder(bug).prefix(FixEvidenceLimits.callerLookups)), index)
                    if callers == nil { evidence[index].notes.append("the callers of the report's functions could not be read from \(tree.description)") }
                }
                evidence[index].checks.append(StackCheck.evaluate(reference: reference, evidence: bug, fetchFailure: failure,
                                                                  patchFunctions: functions, callers: callers))
            }
        }
        await addEarlierRounds(&evidence, series: series, review: review)
        addBotComments(&evidence, from: messages, series: series, review: review)
        addPreviousFindings(&evidence, review: review)
        for index in evidence.indices {
            evidence[index].earlierComments = Array(evidence[index].earlierComments.suffix(FixEvidenceLimits.commentsPerPatch))
            evidence[index].botComments = Array(evidence[index].botComments.suffix(FixEvidenceLimits.commentsPerPatch))
            evidence[index].assignIDs()
        }
        return evidence
    }

    // MARK: earlier revisions

    /// Human comments (and AI reviewers') on earlier revisions, matched to the current
    /// patches by title.
    func addEarlierRounds(_ evidence: inout [PatchEvidence], series: PatchSeries, review: ReviewSeries) async {
        guard series.revision > 1, earlierRounds > 0, let lore, !review.patches.isEmpty else { return }
        let titles = review.patches.map(\.title)
        let (threads, notes) = await earlierThreads(series: series, lore: lore)
        // Notes about the series, once: on its first patch.
        evidence[0].notes += notes
        for (revision, messages) in threads {
            for patch in PatchComments.read(messages, revision: revision, policy: policy) {
                guard let index = PatchMatching.match(patch.patchTitle, in: titles) else { continue }
                for var comment in patch.comments {
                    comment.link = Self.link(lore: lore, messageID: comment.messageID)
                    if comment.source == .aiBot {
                        evidence[index].botComments.append(comment)
                    } else {
                        evidence[index].earlierComments.append(comment)
                    }
                }
            }
        }
    }

    /// The threads of earlier revisions, oldest first: those the cover letter or the
    /// patches link (`Link to v1: ...`), then lore's search by change-id or title for the
    /// rest, at most `earlierRounds` (and `FixEvidenceLimits.earlierThreads`).
    func earlierThreads(series: PatchSeries, lore: LoreClient) async -> (threads: [(Int, [SeriesMessage])], notes: [String]) {
        let limit = min(earlierRounds, FixEvidenceLimits.earlierThreads)
        var text = series.cover?.message.bodyText ?? ""
        for patch in series.patches { text += "\n" + (patch.message.patch?.notes ?? "") }
        var wanted: [Int: LoreThreadReference] = [:]
        for link in EarlierRevisionLink.all(in: text, before: series.revision) {
            if case .lore(let reference)? = try? SourceSpec.parse(link.url) { wanted[link.revision] = reference }
        }
        var notes: [String] = []
        if wanted.count < min(limit, series.revision - 1) {
            let first = series.cover?.message ?? series.patches.first?.message
            let title = series.cover?.subject.title ?? series.patches.first?.subject.title ?? ""
            do {
                let found = try await lore.earlierRevisions(title: title, changeID: first?.patch?.changeID,
                                                            before: series.revision, limit: limit)
                for posting in found where wanted[posting.revision] == nil {
                    wanted[posting.revision] = LoreThreadReference(messageID: posting.messageID)
                }
            } catch {
                notes.append("earlier revisions could not be searched on lore: \(error)")
            }
        }
        var threads: [(Int, [SeriesMessage])] = []
        for revision in wanted.keys.sorted(by: >).prefix(limit).sorted() {
            do {
                let fetched = try await lore.thread(wanted[revision]!)
                let messages = Mailbox.messages(in: [UInt8](fetched.mboxrd()), name: "v\(revision) thread")
                    .compactMap { try? $0.get() }.map(SeriesMessage.init)
                threads.append((revision, messages))
            } catch {
                notes.append("the v\(revision) thread could not be fetched from lore: \(error)")
            }
        }
        if threads.isEmpty, notes.isEmpty {
            notes.append("no earlier revision of this series was found on lore")
        }
        return (threads, notes)
    }

    /// AI reviewers' comments in the thread under review (the same revision).
    func addBotComments(_ evidence: inout [PatchEvidence], from messages: [SeriesMessage], series: PatchSeries,
                        review: ReviewSeries) {
        let ids = review.patches.map(\.messageID)
        for patch in PatchComments.read(messages, series: series, policy: policy) {
            guard let index = ids.firstIndex(of: patch.patchMessageID) else { continue }
            for var comment in patch.comments where comment.source == .aiBot {
                comment.link = lore.map { Self.link(lore: $0, messageID: comment.messageID) } ?? ""
                evidence[index].botComments.append(comment)
            }
        }
    }

    /// Our findings on earlier revisions, from the state database: by the patch's title,
    /// else by a file the patch changes.
    func addPreviousFindings(_ evidence: inout [PatchEvidence], review: ReviewSeries) {
        guard let store, review.identity.revision > 1 else { return }
        let stored: [StoredFinding]
        do {
            stored = try store.findingTexts(seriesKey: review.identity.key, before: review.identity.revision)
        } catch {
            for index in evidence.indices { evidence[index].notes.append("earlier findings could not be read: \(error)") }
            return
        }
        let titles = review.patches.map(\.title)
        for finding in stored {
            let index = PatchMatching.match(finding.patchTitle, in: titles)
                ?? review.patches.firstIndex { $0.patch.files.contains { $0.path == finding.file } }
            guard let index else { continue }
            evidence[index].previousFindings.append(PreviousFinding(
                revision: finding.revision, file: finding.file, anchor: finding.anchor, category: finding.category,
                severity: finding.severity, comment: finding.comment, fingerprint: finding.fingerprint))
        }
    }

    /// `{lore}/r/<message-id>`, the link lore redirects to the message wherever it is.
    static func link(lore: LoreClient, messageID: String) -> String {
        "\(lore.configuration.baseURL)/r/\(MessageID.pathEscaped(messageID))"
    }
}
