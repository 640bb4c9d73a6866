import Foundation
import MboxParser
import PromptLibrary
import ReviewEngine

/// A series read, planned and given its prompts: everything short of calling the model.
/// `reviewbot plan` prints it; `reviewbot review` runs it (or, dry, writes its prompts).
public struct PreparedReview: Sendable {
    public var series: PatchSeries
    public var reviewSeries: ReviewSeries
    public var patches: [ReviewedPatch]
    public var bundles: [PromptBundle]
    /// Per patch, the prompt files that matched and why.
    public var matches: [[PromptMatch]]
    public var plan: ReviewPlan
    public var estimate: PlanEstimate
    /// What reading the source said: fetch notes, unreadable messages, an incomplete series.
    public var notes: [String]
    /// The model the estimate is for.
    public var modelName: String
    /// The prices the estimate uses.
    public var prices: PriceTable = .defaults
    /// The tree the review reads (`--tree`), with every task's code context; nil reviews
    /// the diffs alone.
    public var tree: ReviewTree?

    /// Reads the code context of every task from `provider` (before any model call), so
    /// the plan, the dry run and the review show the same context.
    /// The estimate then counts each task's context as input.
    public mutating func attachTree(_ provider: any CodeContextProvider, budgetTokens: Int) async {
        tree = await ReviewTree.prepare(provider: provider, plan: plan, budgetTokens: budgetTokens)
        estimate = plan.estimate(series: reviewSeries, prompts: bundles, model: modelName, prices: prices, tree: tree)
    }

    public var seriesTitle: String { series.cover?.subject.title ?? series.patches.first?.subject.title ?? "" }
}

/// What to review, beyond the configuration.
public struct ReviewSelection: Sendable {
    public var source: String
    /// `--revision`: this revision of the chosen series instead of the newest.
    public var version: Int?
    /// `--msgid`: the series holding this message.
    public var messageID: String?
    /// `--match`: the one series whose title this regular expression finds.
    public var match: String?
    /// `--patches`: only these patch numbers are reviewed; the rest are listed as not
    /// selected.
    public var patches: PatchNumbers?

    /// `--base REV`: the tree's commit the series applies to, when it names none itself.
    public var base: String?

    public init(source: String, version: Int? = nil, messageID: String? = nil, match: String? = nil,
                patches: PatchNumbers? = nil, base: String? = nil) {
        self.source = source
        self.version = version
        self.messageID = messageID
        self.match = match
        self.patches = patches
        self.base = base
    }

    var choice: SeriesChoice { SeriesChoice(messageID: messageID, match: match, revision: version) }
}

extension PreparedReview {
    /// Reads the source, picks the one series the selection names (refusing to guess
    /// among several) and prepares its review.
    /// `evidenceStore` holds our findings on earlier revisions; nil reads the default state
    /// database when it exists. `evidenceTree` answers the `Fixes:` and stack checks.
    public static func prepare(_ selection: ReviewSelection, reader: SourceReader,
                               library: PromptLibrary, evidenceStore: StateStore? = nil,
                               evidenceTree: TreeFacts? = nil) async throws -> PreparedReview {
        let (messages, errors, notes) = try await reader.seriesMessages(selection.source)
        let catalog = SeriesCatalog(messages: messages)
        let series = try catalog.choose(selection.choice, source: selection.source,
                                        namedMessage: SourceReader.namedMessage(selection.source))
        var prepared = try await prepare(
            series: series, selection: selection, notes: notes + errors, configuration: reader.configuration,
            library: library, evidence: EvidenceSources(messages: messages, reader: reader, store: evidenceStore,
                                                        tree: evidenceTree ?? TreeFacts.configured(reader)))
        try await prepared.attachConfiguredTree(selection: selection, reader: reader)
        return prepared
    }

    /// `--all`: every complete series of the source, each prepared on its own; the
    /// incomplete ones are returned apart, to be listed and left alone.
    public static func prepareAll(_ selection: ReviewSelection, reader: SourceReader, library: PromptLibrary,
                                  evidenceStore: StateStore? = nil, evidenceTree: TreeFacts? = nil)
        async throws -> (reviews: [(entry: SeriesCatalog.Entry, review: PreparedReview)],
                         incomplete: [SeriesCatalog.Entry])
    {
        let (messages, errors, notes) = try await reader.seriesMessages(selection.source)
        let catalog = SeriesCatalog(messages: messages)
        guard !catalog.entries.isEmpty else {
            throw ReviewBotError("no patches in \(selection.source): only replies, pull requests or cover letters",
                                 kind: .noPatches)
        }
        var reviews: [(entry: SeriesCatalog.Entry, review: PreparedReview)] = []
        for entry in catalog.entries where entry.series.isComplete {
            var review = try await prepare(
                series: entry.series, selection: selection, notes: notes + errors, configuration: reader.configuration,
                library: library, evidence: EvidenceSources(messages: messages, reader: reader, store: evidenceStore,
                                                            tree: evidenceTree ?? TreeFacts.configured(reader)))
            try await review.attachConfiguredTree(selection: selection, reader: reader)
            reviews.append((entry, review))
        }
        return (reviews, catalog.entries.filter { !$0.series.isComplete })
    }

    static func prepare(series: PatchSeries, selection: ReviewSelection, notes: [String],
                        configuration: Configuration, library: PromptLibrary,
                        evidence: EvidenceSources) async throws -> PreparedReview {
        var allNotes = notes
        if !series.isComplete {
            allNotes.append("series incomplete: missing " + series.missing.map { "\($0)/\(series.total)" }
                .joined(separator: ", ") + "; reviewing what is there")
        }
        let patches = series.patches.enumerated().map { position, item in
            ReviewedPatch(series: series, item: item, number: item.index >= 1 ? item.index : position + 1)
        }
        if let wanted = selection.patches {
            try wanted.check(against: patches.map(\.number))
        }
        let first = series.patches.first?.message
        let identity = SeriesIdentity.make(
            changeID: series.cover?.message.patch?.changeID ?? first?.patch?.changeID,
            title: series.cover?.subject.title ?? series.patches.first?.subject.title ?? "",
            authorEmail: (series.cover?.message.author ?? first?.author)?.email ?? "",
            revision: series.revision)
        var reviewSeries = ReviewSeries(
            identity: identity, coverLetter: series.cover.map { coverText($0.message) },
            patches: patches.map { ReviewPatch(title: $0.title, messageID: $0.mail.messageID, patch: $0.patch) })
        reviewSeries.attach(await gatherEvidence(series: series, review: reviewSeries, sources: evidence, tree: evidence.tree))

        var bundles: [PromptBundle] = []
        var matches: [[PromptMatch]] = []
        for index in reviewSeries.patches.indices {
            let (bundle, matched) = try PromptBundle.make(library: library, series: reviewSeries, patchIndex: index,
                                                          subject: patches[index].subject,
                                                          maxFindings: configuration.review.maxFindingsPerPatch)
            bundles.append(bundle)
            matches.append(matched)
        }
        // One spec set for the whole series, so every patch's prefix is the same up to the
        // series context and the API serves it from cache.
        bundles = PromptBundle.sharingSpecs(bundles)
        var plan = ReviewPlan.make(series: reviewSeries, options: configuration.planningOptions)
        if let wanted = selection.patches {
            let indices = Set(patches.indices.filter { wanted.contains(patches[$0].number) })
            plan = plan.selecting(patchIndices: indices, detail: "left out by --patches \(wanted)")
        }
        let estimate = plan.estimate(series: reviewSeries, prompts: bundles, model: configuration.model.name,
                                     prices: configuration.priceTable)
        return PreparedReview(series: series, reviewSeries: reviewSeries, patches: patches, bundles: bundles,
                              matches: matches, plan: plan, estimate: estimate, notes: allNotes,
                              modelName: configuration.model.name, prices: configuration.priceTable)
    }

    /// Opens the tree the configuration names (`--tree`, `[tree] path`), applies the series
    /// on its base and reads every task's context; without a tree the review is unchanged.
    mutating func attachConfiguredTree(selection: ReviewSelection, reader: SourceReader) async throws {
        if let provider = try await TreeContextProvider.open(for: self, configuration: reader.configuration,
                                                             base: selection.base, environment: reader.environment) {
            await attachTree(provider, budgetTokens: reader.configuration.tree.contextTokens)
        }
    }

    /// The cover letter as the model should read it: subject line, then the body up to
    /// the diffstat (the shortlog and diffstat repeat what the patches show).
    static func coverText(_ message: SeriesMessage) -> String {
        var lines: [Substring] = []
        for line in message.bodyText.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "-- " || line.hasPrefix("base-commit: ") { break }
            lines.append(line)
        }
        return message.subject + "\n\n" + lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension ReviewedPatch {
    init(series: PatchSeries, item: SeriesPatch, number: Int) {
        let message = item.message
        self.init(number: number, subject: message.subject, title: item.commitTitle, mail: OriginalMail(message),
                  body: message.bodyText, patch: message.patch ?? Patch())
        warnings = message.warnings + (message.patch?.warnings ?? [])
    }
}
