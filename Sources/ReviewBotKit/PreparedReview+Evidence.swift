import CurlKit
import FixEvidence
import Foundation
import MailSources
import MboxParser
import ReviewEngine

/// Where a review's evidence comes from besides the configured servers: the messages the
/// source held (for AI reviewers' replies in the thread) and the state database.
struct EvidenceSources: Sendable {
    var messages: [SeriesMessage]
    var reader: SourceReader
    /// Our findings on earlier revisions; nil reads the default state database when one exists.
    var store: StateStore?
    /// The tree the fix checks read; nil lists them as not done.
    var tree: TreeFacts?
}

extension PreparedReview {
    /// Each patch's evidence, gathered with the configured dashboard, lore and tree, and
    /// our earlier findings from `store` (or, when nil, from the state database when one
    /// exists; a plan never creates it).
    static func gatherEvidence(series: PatchSeries, review: ReviewSeries, sources: EvidenceSources,
                               tree: TreeFacts?) async -> [PatchEvidence] {
        let reader = sources.reader
        let configuration = reader.configuration
        let client = CurlClient()
        var syzbotNote: String?
        var syzbot: SyzbotClient?
        do {
            syzbot = try configuration.syzbotConfiguration(flags: reader.flags, environment: reader.environment)
                .map { SyzbotClient(client: client, configuration: $0) }
        } catch {
            syzbotNote = "syzbot reports were not fetched: \(error)"
        }
        var loreNote: String?
        var lore: LoreClient?
        do {
            lore = LoreClient(client: client, configuration: try configuration.loreConfiguration(
                flags: reader.flags, environment: reader.environment))
        } catch {
            loreNote = "earlier review rounds were not fetched: \(error)"
        }
        var state = sources.store
        if state == nil, review.identity.revision > 1 {
            let path = XDGDirectories(environment: reader.environment).stateDatabase
            if FileManager.default.fileExists(atPath: path.path) { state = try? StateStore(url: path) }
        }
        let gatherer = EvidenceGatherer(syzbot: syzbot, lore: lore, earlierRounds: configuration.review.earlierRounds,
                                        policy: configuration.reviewerPolicy, tree: tree, store: state)
        var evidence = await gatherer.gather(series: series, review: review, messages: sources.messages)
        for index in evidence.indices {
            if let syzbotNote, !PatchClaims.read(review.patches[index].patch).syzbot.isEmpty {
                evidence[index].notes.append(syzbotNote)
            }
            if let loreNote, review.identity.revision > 1, index == 0 { evidence[index].notes.append(loreNote) }
        }
        return evidence
    }
}

extension ReviewSeries {
    /// Puts each patch's evidence on it; an empty one stays nil, so a patch with nothing
    /// to check against reads exactly as before.
    public mutating func attach(_ evidence: [PatchEvidence]) {
        for (index, item) in evidence.enumerated() where index < patches.count {
            patches[index].evidence = item.isEmpty ? nil : item
        }
    }
}
