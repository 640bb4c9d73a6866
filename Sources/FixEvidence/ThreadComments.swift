import Foundation
import MboxParser

/// The review comments a thread holds for each patch of one revision of a series.
public struct PatchComments: Sendable, Hashable {
    public var revision: Int
    public var patchTitle: String
    public var patchMessageID: String
    /// In thread order; ids are not assigned yet.
    public var comments: [ReviewComment]
}

extension PatchComments {
    /// Reads a thread (lore's `t.mbox.gz`, or the mailbox a review came from): finds the
    /// patches of revision `revision` (the newest when nil), then every reply below each
    /// patch, and the comments in those replies. Replies from the patch's author, from
    /// robots (test, tracking, syzbot) and to the cover letter are left out; AI reviewers'
    /// comments are kept and marked, their summaries (text without a quote) left out.
    public static func read(_ messages: [SeriesMessage], revision: Int?,
                            policy: ReviewerPolicy) -> [PatchComments] {
        guard case .found(let series) = SeriesAssembler(messages: messages).select(version: revision) else { return [] }
        return read(messages, series: series, policy: policy)
    }

    /// The comments on the patches of `series` among `messages` (the series a review
    /// chose from a mailbox that may hold others).
    public static func read(_ messages: [SeriesMessage], series: PatchSeries,
                            policy: ReviewerPolicy) -> [PatchComments] {
        var patchByID: [String: SeriesPatch] = [:]
        for patch in series.patches {
            if let id = patch.message.messageID { patchByID[id] = patch }
        }
        var parentOf: [String: String] = [:]
        for message in messages {
            if let id = message.messageID, let parent = message.inReplyTo ?? message.references.last { parentOf[id] = parent }
        }
        var byPatch: [String: [ReviewComment]] = [:]
        var seen = Set<String>()
        var replies = 0
        for message in messages {
            guard let id = message.messageID, patchByID[id] == nil, seen.insert(id).inserted,
                  series.cover?.message.messageID != id else { continue }
            guard let patchID = patch(above: message, parentOf: parentOf, patches: patchByID),
                  let patch = patchByID[patchID] else { continue }
            replies += 1
            guard replies <= FixEvidenceLimits.repliesPerThread else { break }
            let sender = message.from
            if let author = patch.message.author?.email.lowercased(), sender?.email.lowercased() == author { continue }
            let kind = policy.classify(sender: sender, body: message.bodyText)
            guard kind != .robot, let reviewer = sender else { continue }
            for reply in QuotedReply.all(in: message.bodyText) {
                if kind == .aiBot, reply.quoted.isEmpty { continue }
                byPatch[patchID, default: []].append(ReviewComment(
                    reviewer: reviewer, messageID: id, source: kind == .aiBot ? .aiBot : .human,
                    revision: series.revision, file: reply.file ?? file(of: reply.quoted, in: patch.message.patch),
                    quoted: reply.quoted, text: reply.text))
            }
        }
        return series.patches.compactMap { patch in
            guard let id = patch.message.messageID else { return nil }
            return PatchComments(revision: series.revision, patchTitle: patch.commitTitle, patchMessageID: id,
                                 comments: byPatch[id] ?? [])
        }
    }

    /// The file of the patch that holds the quoted diff lines, for a reply that quoted
    /// lines without their `diff --git` header (most people cut it).
    static func file(of quoted: [String], in patch: Patch?) -> String? {
        let lines = quoted.filter { ($0.hasPrefix("+") && !$0.hasPrefix("+++")) || ($0.hasPrefix("-") && !$0.hasPrefix("---")) }
        guard let patch, !lines.isEmpty else { return nil }
        return patch.files.first { file in
            let patchLines = Set(file.hunks.flatMap(\.lines).map(\.patchText))
            return lines.allSatisfy(patchLines.contains)
        }?.path
    }

    /// The patch a reply sits under: up the In-Reply-To chain (`replyDepth` hops at most),
    /// else the nearest patch its References name.
    static func patch(above message: SeriesMessage, parentOf: [String: String],
                      patches: [String: SeriesPatch]) -> String? {
        var current = message.inReplyTo
        var hops = 0
        while let id = current, hops < FixEvidenceLimits.replyDepth {
            if patches[id] != nil { return id }
            current = parentOf[id]
            hops += 1
        }
        return message.references.reversed().first { patches[$0] != nil }
    }
}

/// Pairs the patches of an earlier revision with the current ones.
public enum PatchMatching {
    /// Token overlap at or above which two titles name the same patch after a reword:
    /// `foo: fix leak in bar()` and `foo: fix a leak in bar()` share most words; two
    /// different patches of one driver share the prefix and little else.
    public static let titleSimilarity = 0.6

    /// The index in `current` of the patch `earlier` became: the same title (case and
    /// spacing aside), else the most similar title above `titleSimilarity`.
    public static func match(_ earlier: String, in current: [String]) -> Int? {
        let wanted = normalized(earlier)
        if let exact = current.firstIndex(where: { normalized($0) == wanted }) { return exact }
        let words = tokens(earlier)
        var best: (index: Int, score: Double)?
        for (index, title) in current.enumerated() {
            let other = tokens(title)
            let union = words.union(other).count
            let score = union == 0 ? 0 : Double(words.intersection(other).count) / Double(union)
            if score >= titleSimilarity, score > (best?.score ?? 0) { best = (index, score) }
        }
        return best?.index
    }

    static func normalized(_ title: String) -> String {
        title.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func tokens(_ text: String) -> Set<Substring> {
        Set(text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") })
    }
}
