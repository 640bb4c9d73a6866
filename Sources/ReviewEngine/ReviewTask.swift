import Foundation
import MboxParser

/// A run of lines inside one hunk of one file of a patch, by index, so coverage can be
/// checked exactly (`lines` indexes `Hunk.lines`).
public struct HunkSpan: Sendable, Hashable, Codable {
    public var fileIndex: Int
    public var hunkIndex: Int
    public var lines: Range<Int>

    public init(fileIndex: Int, hunkIndex: Int, lines: Range<Int>) {
        self.fileIndex = fileIndex
        self.hunkIndex = hunkIndex
        self.lines = lines
    }
}

/// One hunk, or a slice of a huge hunk, as a task shows it to the model.
public struct TaskHunk: Sendable, Hashable {
    /// Path on the new side (old side for deleted files), as the model must name it.
    public var file: String
    /// Old-side path when it differs (renames), for the `diff --git` header.
    public var oldFile: String
    /// The whole hunk: fingerprints look at neighbouring lines even outside the slice.
    public var hunk: Hunk
    /// The lines this task owns: each changed line in here belongs to this task only.
    public var owned: HunkSpan
    /// The lines shown: `owned` plus up to `PlanningOptions.contextLines` either side.
    public var shown: Range<Int>
    /// The function the owned lines sit in (the hunk's function context, or the last
    /// function start seen inside the hunk before the slice).
    public var function: String

    /// Changed (added or removed) lines owned by this slice.
    public var changedLineCount: Int {
        hunk.lines[owned.lines].reduce(0) { $0 + ($1.kind == .added || $1.kind == .removed ? 1 : 0) }
    }

    /// A side with no lines in the slice is named, as git does for an empty side, by the
    /// line before the gap.
    static func start(first: Int?, previous: Int?, hunkStart: Int, hunkCount: Int) -> Int {
        first ?? previous ?? (hunkCount == 0 ? hunkStart : max(hunkStart - 1, 0))
    }

    /// The slice as a unified-diff hunk with a header recomputed for the shown lines.
    public var renderedHunk: String {
        let lines = hunk.lines[shown]
        let oldNumbers = lines.compactMap { $0.kind == .added ? nil : $0.oldLine }
        let newNumbers = lines.compactMap { $0.kind == .removed ? nil : $0.newLine }
        let oldCount = lines.reduce(0) { $0 + ($1.kind == .context || $1.kind == .removed ? 1 : 0) }
        let newCount = lines.reduce(0) { $0 + ($1.kind == .context || $1.kind == .added ? 1 : 0) }
        let before = hunk.lines[..<shown.lowerBound]
        let oldStart = Self.start(first: oldNumbers.first,
                                  previous: before.last { $0.kind != .added && $0.oldLine != nil }?.oldLine,
                                  hunkStart: hunk.oldStart, hunkCount: hunk.oldCount)
        let newStart = Self.start(first: newNumbers.first,
                                  previous: before.last { $0.kind != .removed && $0.newLine != nil }?.newLine,
                                  hunkStart: hunk.newStart, hunkCount: hunk.newCount)
        let context = function.isEmpty ? "" : " " + function
        var text = "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\(context)\n"
        for line in lines {
            text += line.patchText + "\n"
        }
        return text
    }
}

/// A unit of review: hunks (or slices) from one patch, at most a budget of changed lines,
/// sent to the model as one request after the patch's shared prefix.
public struct ReviewTask: Sendable, Hashable, Identifiable {
    /// `P<patch>-T<task>`, 1-based, stable for a given plan (used in reports and logs).
    public var id: String
    /// 0-based position of the patch in the series.
    public var patchIndex: Int
    public var hunks: [TaskHunk]

    public init(id: String, patchIndex: Int, hunks: [TaskHunk]) {
        self.id = id
        self.patchIndex = patchIndex
        self.hunks = hunks
    }

    public var changedLineCount: Int { hunks.reduce(0) { $0 + $1.changedLineCount } }

    /// The files this task touches, in order, without repeats.
    public var files: [String] {
        var seen = Set<String>()
        return hunks.map(\.file).filter { seen.insert($0).inserted }
    }

    /// What the task covers, for the request and the report: each file with the
    /// functions its hunks are in (`drivers/a.c (foo_probe, foo_remove)`), named as a
    /// reader would name them, not by the cut-off line git wrote into the hunk header.
    public var scope: String {
        var functions: [String: [String]] = [:]
        for slice in hunks {
            let name = PatchPlan.functionName(slice.function)
            if !name.isEmpty, !functions[slice.file, default: []].contains(name) {
                functions[slice.file, default: []].append(name)
            }
        }
        // A packed task may span many functions: name a few, count the rest.
        let shown = 3
        return files.map { file in
            functions[file].map { names in
                let listed = names.prefix(shown).joined(separator: ", ")
                return "\(file) (\(listed)\(names.count > shown ? " and \(names.count - shown) more" : ""))"
            } ?? file
        }.joined(separator: "; ")
    }

    /// The task's part of the diff, in unified-diff form, as the user message carries it.
    public var renderedDiff: String {
        var text = ""
        var currentFile: String?
        for slice in hunks {
            if slice.file != currentFile {
                text += "diff --git a/\(slice.oldFile) b/\(slice.file)\n"
                text += "--- a/\(slice.oldFile)\n+++ b/\(slice.file)\n"
                currentFile = slice.file
            }
            text += slice.renderedHunk
        }
        return text
    }

    /// Estimated input tokens of the task-specific part of a request: UTF-8 bytes / 4,
    /// the rule of thumb Anthropic gives for English text and code (an estimate only;
    /// the API's `usage` has the real figure).
    public var estimatedTokens: Int { TokenEstimate.tokens(forBytes: renderedDiff.utf8.count) }
}

/// The bytes/4 estimate in one place.
public enum TokenEstimate {
    public static func tokens(forBytes bytes: Int) -> Int { (bytes + 3) / 4 }
    public static func tokens(for text: String) -> Int { tokens(forBytes: text.utf8.count) }
}

/// Why part of a patch is not sent for review.
public enum SkipReason: String, Sendable, Hashable, Codable {
    case binary
    case generated
    case vendored
    /// The part is bigger than the per-task token limit or past the per-patch line limit.
    case overBudget = "over-budget"
    /// Left out by the user (`--patches`).
    case notSelected = "not-selected"
    /// Diff lines the parser could not place in a hunk (a cut patch, wrong hunk counts).
    case unparsed
    /// A patch a mail client damaged (whitespace changed, lines wrapped): nothing of it
    /// is reviewed, since no reply could quote it faithfully.
    case mangled
}

/// A part of a patch that is not reviewed, listed so that nothing is dropped in silence.
public struct SkippedPart: Sendable, Hashable, Codable {
    public var patchIndex: Int
    public var file: String
    public var reason: SkipReason
    /// A sentence for the report (which marker or limit caused the skip).
    public var detail: String
    /// The lines covered by this skip (empty for a binary file, which has no text lines).
    public var spans: [HunkSpan]
    public var changedLineCount: Int

    public init(patchIndex: Int, file: String, reason: SkipReason, detail: String,
                spans: [HunkSpan], changedLineCount: Int) {
        self.patchIndex = patchIndex
        self.file = file
        self.reason = reason
        self.detail = detail
        self.spans = spans
        self.changedLineCount = changedLineCount
    }
}

extension DiffLine {
    var isChange: Bool { kind == .added || kind == .removed }
}
