import Foundation
import ReviewEngine

/// One file a review writes into its output directory.
public struct OutputFile: Sendable, Equatable {
    public var name: String
    public var data: Data
    /// For a reply: its Message-ID (with brackets) and the patch it answers.
    public var messageID: String?
    public var patchMessageID: String?

    public init(name: String, data: Data, messageID: String? = nil, patchMessageID: String? = nil) {
        self.name = name
        self.data = data
        self.messageID = messageID
        self.patchMessageID = patchMessageID
    }
}

/// Where `reviewbot review` writes (`--out DIR`, and `--b4-dir`), designed so that the
/// maintainer's work in it is never lost:
/// - an edited or deleted draft of the same review is kept as the maintainer left it
///   (never overwritten, never brought back) unless `--force` is given;
/// - the files of another review are moved to `DIR/.reviewbot/previous/<time>/` before
///   the new review is written, so `send` and `drafts push`, which take only the drafts
///   the manifest lists, can never mix two reviews; if any of them was edited, or cannot
///   be vouched for (no manifest lists it), nothing happens without `--force`;
/// - everything is written to a staging directory first, inside `DIR/.reviewbot` (so on
///   the same file system, where each rename is atomic), and only then renamed into place:
///   a failure while writing (a full disk) leaves DIR as it was.
public struct OutputDirectory: Sendable {
    public var url: URL
    public var writer: FileWriter

    public init(_ url: URL, writer: FileWriter = .system) {
        self.url = url
        self.writer = writer
    }

    /// What is in DIR now, by top-level name (dot files excepted): a regular file with its
    /// hash, or something else (a directory, a link).
    enum Entry: Equatable {
        case file(sha256: String)
        case other
    }

    /// What writing a review into DIR will do, decided before anything is touched.
    struct Plan: Equatable {
        var write: [OutputFile] = []
        /// Entries of the old manifest that stay: drafts the maintainer edited or deleted.
        var keep: [OutputManifest.File] = []
        /// This review's own files that the new run no longer produces, unedited.
        var remove: [String] = []
        /// Moved to `.reviewbot/previous/...`: another review's files, or with `--force`
        /// the maintainer's versions of files being replaced.
        var moveAside: [String] = []
        var notes: [String] = []
        /// Files that hold the maintainer's work and would be moved aside; without
        /// `--force` their presence stops the write.
        var needsForce: [String] = []
    }

    /// Names a review writes, or wrote in earlier versions: a file by these names that no
    /// manifest lists may be an old draft the maintainer edited.
    static func looksLikeOutput(_ name: String) -> Bool {
        if ["drafts.mbox", "findings.json", "report.md"].contains(name) { return true }
        let stem = name.prefix { $0.isASCII && $0.isNumber }
        guard stem.count == 4 else { return false }
        return ["-review-inline.txt", ".eml", ".txt"].contains(String(name.dropFirst(4)))
    }

    /// Decides what to do. Pure: `existing` is what DIR holds now, `manifest` what the
    /// last review wrote.
    static func plan(existing: [String: Entry], manifest: OutputManifest?, files: [OutputFile],
                     review: ReviewIdentity, force: Bool) -> Plan {
        var plan = Plan()
        let newNames = Set(files.map(\.name))
        guard let manifest, manifest.review.series == review.series, manifest.review.revision == review.revision else {
            // Another review, or files no manifest accounts for: set aside whatever could
            // be mixed up with the new review's drafts.
            let listed = manifest?.files ?? []
            for old in listed {
                guard let current = existing[old.name] else { continue }
                plan.moveAside.append(old.name)
                if current != .file(sha256: old.sha256) { plan.needsForce.append("\(old.name) (edited)") }
            }
            let listedNames = Set(listed.map(\.name))
            for name in existing.keys.sorted() where !listedNames.contains(name)
                && (newNames.contains(name) || looksLikeOutput(name)) {
                plan.moveAside.append(name)
                plan.needsForce.append("\(name) (no manifest lists it)")
            }
            if let manifest, !plan.moveAside.isEmpty {
                plan.notes.append("the directory held the review of \(manifest.review.description); its files were set aside")
            }
            plan.write = files
            plan.moveAside.sort()
            return plan
        }

        // The same review again: the maintainer's edits and deletions stand.
        for old in manifest.files {
            let current = existing[old.name]
            let untouched = current == .file(sha256: old.sha256)
            if newNames.contains(old.name) {
                switch (current, untouched) {
                case (nil, _) where !force:
                    plan.keep.append(old)
                    plan.notes.append("did not bring back \(old.name), which you deleted (--force brings it back)")
                case (nil, _):
                    plan.notes.append("brought back \(old.name), which you had deleted (--force)")
                case (_, false) where !force:
                    plan.keep.append(old)
                    plan.notes.append("kept your edited \(old.name); the new version was not written (--force writes it and keeps yours aside)")
                case (_, false):
                    plan.moveAside.append(old.name)
                    plan.notes.append("replaced your edited \(old.name) (--force); your version was set aside")
                default:
                    break
                }
            } else if current == nil {
                plan.keep.append(old)  // still deleted: a later run must not bring it back either
            } else if untouched {
                plan.remove.append(old.name)
                if old.isDraft { plan.notes.append("removed \(old.name): this run has no draft for that patch") }
            } else if force {
                plan.moveAside.append(old.name)
                plan.notes.append("set aside your edited \(old.name), which this run has no draft for (--force)")
            } else {
                plan.keep.append(old)
                plan.notes.append("kept your edited \(old.name), though this run has no draft for that patch")
            }
        }
        let listedNames = Set(manifest.files.map(\.name))
        let kept = Set(plan.keep.map(\.name))
        for file in files where !kept.contains(file.name) {
            if !listedNames.contains(file.name), existing[file.name] != nil {
                guard force else {
                    plan.notes.append("kept \(file.name), which reviewbot did not write; the new version was not written (--force writes it and keeps yours aside)")
                    continue
                }
                plan.moveAside.append(file.name)
            }
            plan.write.append(file)
        }
        plan.moveAside.sort()
        return plan
    }
}
