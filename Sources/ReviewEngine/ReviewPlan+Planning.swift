import Foundation
import MboxParser

extension ReviewPlan {
    /// Plans the whole series: one `PatchPlan` per patch, in order.
    public static func make(series: ReviewSeries, options: PlanningOptions = PlanningOptions()) -> ReviewPlan {
        let patches = series.patches.enumerated().map { index, item in
            PatchPlan.make(patch: item.patch, patchIndex: index, title: item.title, options: options)
        }
        return ReviewPlan(identity: series.identity, patches: patches, options: options)
    }
}

extension PatchPlan {
    /// Cuts one patch into tasks: hunks are split into slices of at most the task budget
    /// (at function boundaries or blank lines where possible), slices of the same file and
    /// function form groups, and groups are packed in diff order into tasks of at most the
    /// budget. Packing across files keeps small patches to one request.
    public static func make(patch: Patch, patchIndex: Int, title: String,
                            options: PlanningOptions = PlanningOptions()) -> PatchPlan {
        let budget = max(1, options.maxChangedLinesPerTask)
        var groups: [[TaskHunk]] = []
        var skipped: [SkippedPart] = []
        var patchChanged = 0
        var patchOverflow = false

        for (fileIndex, file) in patch.files.enumerated() {
            let allSpans = file.hunks.indices.map {
                HunkSpan(fileIndex: fileIndex, hunkIndex: $0, lines: file.hunks[$0].lines.indices)
            }
            if let (reason, detail) = skipReason(for: file, options: options) {
                skipped.append(SkippedPart(patchIndex: patchIndex, file: file.path, reason: reason, detail: detail,
                                           spans: allSpans, changedLineCount: file.added + file.removed))
                continue
            }
            for (hunkIndex, hunk) in file.hunks.enumerated() {
                let functions = enclosingFunctions(of: hunk)
                for segment in segments(of: hunk, budget: budget) where !segment.isEmpty {
                    let slice = TaskHunk(
                        file: file.path, oldFile: file.oldPath ?? file.path, hunk: hunk,
                        owned: HunkSpan(fileIndex: fileIndex, hunkIndex: hunkIndex, lines: segment),
                        shown: max(0, segment.lowerBound - options.contextLines)
                            ..< min(hunk.lines.count, segment.upperBound + options.contextLines),
                        function: functions[segment.lowerBound])
                    let changed = slice.changedLineCount
                    guard changed > 0 else { continue }
                    let tokens = TokenEstimate.tokens(for: slice.renderedHunk)
                    if tokens > options.maxTaskTokens {
                        skipped.append(SkippedPart(
                            patchIndex: patchIndex, file: file.path, reason: .overBudget,
                            detail: "about \(tokens) tokens in one slice, over the limit of \(options.maxTaskTokens)",
                            spans: [slice.owned], changedLineCount: changed))
                        continue
                    }
                    if patchOverflow || patchChanged + changed > options.maxChangedLinesPerPatch {
                        patchOverflow = true
                        skipped.append(SkippedPart(
                            patchIndex: patchIndex, file: file.path, reason: .overBudget,
                            detail: "past the limit of \(options.maxChangedLinesPerPatch) changed lines per patch",
                            spans: [slice.owned], changedLineCount: changed))
                        continue
                    }
                    patchChanged += changed
                    if let last = groups.last?.last, last.file == slice.file, last.function == slice.function,
                       groups[groups.count - 1].changedLineCount + changed <= budget {
                        groups[groups.count - 1].append(slice)
                    } else {
                        groups.append([slice])
                    }
                }
            }
        }

        var packed: [[TaskHunk]] = []
        for group in groups {
            if let current = packed.last, current.changedLineCount + group.changedLineCount <= budget {
                packed[packed.count - 1] += group
            } else {
                packed.append(group)
            }
        }
        let tasks = packed.enumerated().map { number, hunks in
            ReviewTask(id: "P\(patchIndex + 1)-T\(number + 1)", patchIndex: patchIndex, hunks: hunks)
        }
        var plan = PatchPlan(patchIndex: patchIndex, title: title, tasks: tasks, skipped: skipped)
        if let mangling = patch.mangling {
            // A damaged patch cannot be quoted faithfully in a reply: none of it is reviewed.
            plan = plan.skippingAll(reason: .mangled,
                                    detail: "the patch is mangled (\(mangling.rawValue)); nothing of it is reviewed")
        }
        plan.skipped += patch.unplaced.map { lines in
            SkippedPart(patchIndex: patchIndex, file: lines.file.isEmpty ? "(before any file)" : lines.file,
                        reason: lines.isMailerDamage ? .mangled : .unparsed, detail: lines.summary, spans: [],
                        changedLineCount: lines.changedLineCount)
        }
        return plan
    }

    static func skipReason(for file: FileDiff, options: PlanningOptions) -> (SkipReason, String)? {
        if file.isBinary { return (.binary, "binary file") }
        let path = file.path
        if let suffix = options.generatedPathSuffixes.first(where: { path.hasSuffix($0) }) {
            return (.generated, "generated file (name ends in \(suffix))")
        }
        let components = path.split(separator: "/").map(String.init)
        if let vendored = components.dropLast().first(where: { options.vendoredPathComponents.contains($0) }) {
            return (.vendored, "vendored code (under \(vendored)/)")
        }
        for hunk in file.hunks {
            for line in hunk.lines {
                guard let number = line.kind == .removed ? line.oldLine : line.newLine,
                      number <= options.generatedMarkerWindow else { continue }
                let lowered = line.text.lowercased()
                if let marker = options.generatedMarkers.first(where: { lowered.contains($0) }) {
                    return (.generated, "generated file (\"\(marker)\" near the top)")
                }
            }
        }
        return nil
    }

    /// Splits a hunk into consecutive ranges covering all its lines, each with at most
    /// `budget` changed lines. A cut goes at the last function boundary or blank line before
    /// the budget runs out; with none in reach, right before the line that would exceed it.
    static func segments(of hunk: Hunk, budget: Int) -> [Range<Int>] {
        let lines = hunk.lines
        var result: [Range<Int>] = []
        var start = 0
        var changed = 0
        var cut: (index: Int, changedBefore: Int)?
        for index in lines.indices {
            if index > start, isCutPoint(lines, before: index) { cut = (index, changed) }
            guard lines[index].isChange else { continue }
            if changed == budget {
                if let natural = cut, natural.changedBefore > 0 {
                    result.append(start..<natural.index)
                    start = natural.index
                    changed -= natural.changedBefore
                } else {
                    result.append(start..<index)
                    start = index
                    changed = 0
                }
                cut = nil
            }
            changed += 1
        }
        result.append(start..<lines.count)
        return result
    }

    /// A new slice may start at `index` when the line before is blank or closes a function
    /// (`}` in column 0), or the line itself starts a function; never before a
    /// `\ No newline` marker, which belongs to the line above it.
    static func isCutPoint(_ lines: [DiffLine], before index: Int) -> Bool {
        guard index > 0, lines[index].kind != .noNewlineMarker else { return false }
        let previous = lines[index - 1].text
        return previous.allSatisfy(\.isWhitespace) || previous.hasPrefix("}")
            || isFunctionStart(lines[index].text)
    }

    /// A C function definition's first line: an identifier in column 0 and a `(`, not a
    /// statement (`EXPORT_SYMBOL(x);` ends in `;`).
    static func isFunctionStart(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.contains("(") && !text.trimmingCharacters(in: .whitespaces).hasSuffix(";")
    }

    /// For each line, the function it sits in: the last function start in the hunk at or
    /// before it, else the function context git wrote in the hunk header. One pass.
    static func enclosingFunctions(of hunk: Hunk) -> [String] {
        var current = hunk.functionContext
        return hunk.lines.map { line in
            if line.kind != .removed, isFunctionStart(line.text) {
                current = line.text.trimmingCharacters(in: .whitespaces)
            }
            return current
        }
    }
}

extension PatchPlan {
    /// The name a maintainer calls the code a hunk is in, from the line git put in the
    /// hunk header (or the last function start in the hunk): `static int foo_probe(struct
    /// platform_device *pdev)` is `foo_probe`, `MODULE_PARM_DESC(nowayout, "Watchdog
    /// cannot` is `MODULE_PARM_DESC`, `static const struct of_device_id foo_of_match[] = {`
    /// is `foo_of_match`, `struct foo_priv {` is `struct foo_priv`. Only identifiers are
    /// kept, so a string literal git cut at 80 columns never shows up as a label.
    public static func functionName(_ context: String) -> String {
        let text = context.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return "" }
        // The declarator ends at the first of these; what comes after is arguments,
        // array bounds, an initializer or a body.
        let cut = text.firstIndex { "(=[{;:".contains($0) } ?? text.endIndex
        let words = text[..<cut].split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
        guard let last = words.last, let first = last.first, first.isLetter || first == "_" else { return "" }
        // `struct foo {`, `union bar {`, `enum baz {`: the keyword is part of the name.
        if cut < text.endIndex, text[cut] == "{", words.count >= 2,
           ["struct", "union", "enum"].contains(words[words.count - 2]) {
            return words[words.count - 2] + " " + last
        }
        return last
    }
}

extension Array where Element == TaskHunk {
    var changedLineCount: Int { reduce(0) { $0 + $1.changedLineCount } }
}
