// Trigger noise for scripts/trigger-noise: over a fixed set of patches, how many
// subsystem, pattern and mode files each prompt directory selects per patch (over all of
// them and over the mail fixtures alone), which trigger fixtures the last directory gets
// wrong, and which files and patches are the worst offenders. Several directories (main's
// prompts before a change, the worktree's after) are measured over the same patches in
// one run.
//
// usage: TriggerNoise [--top N] [--why FILE] --prompts LABEL=DIR [--prompts LABEL=DIR ...] PATH...
//   --why FILE: also list each patch that selects FILE (e.g. subsystems/watchdog.md) and
//   the trigger hits, to see why a file is a top offender.
//   PATH: mail files or directories; directories are walked for *.mbox, *.mboxrd, *.eml,
//   *.patch and extensionless files, skipping golden/ and Golden/ (expected outputs).
import Foundation
import MboxParser
import PromptLibrary

struct Usage: Error {
    var message: String
}

/// A patch found in the fixtures, named by its subject and the file it came from.
struct FixturePatch {
    var title: String
    var file: String
    var facts: PatchFacts

    /// For a trigger fixture (`TriggerFixtures/<dir>/<name>/match-*.patch` or
    /// `nomatch-*.patch`), the prompt file it is about and whether that file must select it.
    var expectation: (promptPath: String, mustMatch: Bool)? {
        let parts = file.split(separator: "/").map(String.init)
        guard let index = parts.lastIndex(of: "TriggerFixtures"), parts.count - index >= 3,
              let name = parts.last else { return nil }
        let promptPath = parts[(index + 1)..<(parts.count - 1)].joined(separator: "/") + ".md"
        if name.hasPrefix("match-") { return (promptPath, true) }
        if name.hasPrefix("nomatch-") { return (promptPath, false) }
        return nil
    }

    /// `patterns/lock-balance/match-early-return-under-lock.patch` for a trigger fixture.
    var fixtureName: String {
        let parts = file.split(separator: "/")
        guard let index = parts.lastIndex(of: "TriggerFixtures") else { return file }
        return parts[(index + 1)...].joined(separator: "/")
    }
}

/// File name endings that hold mail; other fixture files are expected outputs.
let mailExtensions: Set<String> = ["mbox", "mboxrd", "eml", "patch", ""]

func mailFiles(under path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
    guard isDirectory.boolValue else { return [path] }
    let root = URL(fileURLWithPath: path)
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                      options: [.skipsHiddenFiles]) else { return [] }
    var files: [String] = []
    for case let url as URL in walker {
        if url.lastPathComponent.lowercased() == "golden" {
            walker.skipDescendants()
            continue
        }
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
              mailExtensions.contains(url.pathExtension) else { continue }
        files.append(url.path)
    }
    return files.sorted()
}

/// Every distinct patch in `paths`: the same patch mailed in a thread mbox and as a
/// single message counts once, so heavily duplicated fixtures do not skew the mean.
func readPatches(_ paths: [String]) -> (patches: [FixturePatch], unreadable: Int) {
    var seen: Set<PatchFacts> = []
    var patches: [FixturePatch] = []
    var unreadable = 0
    for file in paths.flatMap(mailFiles(under:)) {
        guard let read = try? SeriesMessage.read(path: file) else {
            unreadable += 1
            continue
        }
        for message in read.messages {
            guard let patch = message.patch, !patch.files.isEmpty else { continue }
            let facts = PatchFacts(patch, subject: message.subject)
            if seen.insert(facts).inserted {
                patches.append(FixturePatch(title: message.subject, file: file, facts: facts))
            }
        }
    }
    return (patches, unreadable)
}

/// What one prompt directory selects over the patches.
struct Noise {
    var label: String
    var directory: String
    var triggered: Int
    /// Per patch, the paths of the files it selects.
    var selected: [[String]]
    /// Per patch, the matches themselves, for `--why`.
    var matches: [[PromptMatch]]

    var mean: Double { Self.mean(selected) }
    var maximum: Int { selected.map(\.count).max() ?? 0 }
    var none: Int { selected.filter(\.isEmpty).count }

    static func mean(_ selected: [[String]]) -> Double {
        selected.isEmpty ? 0 : Double(selected.map(\.count).reduce(0, +)) / Double(selected.count)
    }

    /// The figures over the patches `include` keeps, e.g. the mail fixtures alone.
    func subset(_ include: [Bool]) -> (count: Int, mean: Double, maximum: Int, none: Int) {
        let kept = zip(selected, include).filter(\.1).map(\.0)
        return (kept.count, Self.mean(kept), kept.map(\.count).max() ?? 0, kept.filter(\.isEmpty).count)
    }

    init(label: String, directory: String, patches: [FixturePatch]) throws {
        // The directory is the whole library, not an override of the bundled one, so a
        // file deleted or renamed in it is really gone.
        let library = try PromptLibrary(bundled: URL(fileURLWithPath: directory), override: nil)
        self.label = label
        self.directory = directory
        triggered = library.files.filter { !$0.triggers.isEmpty }.count
        matches = patches.map { library.matches(for: $0.facts) }
        selected = matches.map { $0.map(\.file.path) }
    }

    /// Files by the number of patches that select them, most first.
    func offenders() -> [(path: String, patches: Int)] {
        Dictionary(grouping: selected.flatMap { $0 }, by: { $0 })
            .map { ($0.key, $0.value.count) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}

func format(_ value: Double) -> String { String(format: "%.2f", value) }

func run() throws {
    var top = 10
    var why: String?
    var directories: [(label: String, path: String)] = []
    var paths: [String] = []
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--top":
            guard let value = arguments.popFirst().flatMap(Int.init), value >= 0 else {
                throw Usage(message: "--top needs a count")
            }
            top = value
        case "--why":
            guard let value = arguments.popFirst() else { throw Usage(message: "--why needs a prompt file path") }
            why = value
        case "--prompts":
            guard let value = arguments.popFirst(), let equals = value.firstIndex(of: "=") else {
                throw Usage(message: "--prompts needs LABEL=DIR")
            }
            directories.append((String(value[..<equals]), String(value[value.index(after: equals)...])))
        default:
            paths.append(argument)
        }
    }
    guard !directories.isEmpty, !paths.isEmpty else {
        throw Usage(message: "usage: TriggerNoise [--top N] [--why FILE] --prompts LABEL=DIR [...] PATH...")
    }

    let (patches, unreadable) = readPatches(paths)
    guard !patches.isEmpty else { throw Usage(message: "no patches found under \(paths.joined(separator: " "))") }
    print("patches: \(patches.count) distinct, from \(paths.joined(separator: " "))"
        + (unreadable > 0 ? " (\(unreadable) files unreadable)" : ""))
    let results = try directories.map { try Noise(label: $0.label, directory: $0.path, patches: patches) }
    // Trigger fixtures are written to hit or just miss one file each; real mail is what a
    // maintainer reviews, so its figures are printed apart as well.
    let isMail = patches.map { $0.expectation == nil }
    for result in results {
        print("")
        print("\(result.label): \(result.directory) (\(result.triggered) files with triggers)")
        print("  files per patch: mean \(format(result.mean)), max \(result.maximum), "
            + "patches selecting none: \(result.none)")
        let mail = result.subset(isMail)
        if mail.count > 0, mail.count < patches.count {
            print("  mail fixtures only (\(mail.count) patches): mean \(format(mail.mean)), max \(mail.maximum), "
                + "patches selecting none: \(mail.none)")
        }
        var selectedMatches = 0, matchTotal = 0, selectedNomatches = 0, nomatchTotal = 0
        var wrong: [String] = []
        for (index, patch) in patches.enumerated() {
            guard let expectation = patch.expectation else { continue }
            let selected = result.selected[index].contains(expectation.promptPath)
            if expectation.mustMatch {
                matchTotal += 1
                if selected { selectedMatches += 1 }
            } else {
                nomatchTotal += 1
                if selected { selectedNomatches += 1 }
            }
            if selected != expectation.mustMatch { wrong.append(patch.fixtureName) }
        }
        if matchTotal + nomatchTotal > 0 {
            print("  trigger fixtures: \(selectedMatches) of \(matchTotal) match-* selected by their file, "
                + "\(selectedNomatches) of \(nomatchTotal) nomatch-* wrongly selected")
            // Only the directory under test is expected to pass its own fixtures; an older
            // one misses the fixtures of files it did not have yet.
            if result.label == directories.last?.label {
                for name in wrong { print("    wrong: \(name)") }
            }
        }
        print("  files selected by the most patches:")
        for (path, count) in result.offenders().prefix(top) {
            print("    \(String(count).leftPadded(to: 5))  \(path)")
        }
        print("  patches selecting the most files:")
        let worst = result.selected.indices.sorted {
            result.selected[$0].count != result.selected[$1].count
                ? result.selected[$0].count > result.selected[$1].count : $0 < $1
        }
        for index in worst.prefix(top) {
            let title = patches[index].title
            print("    \(String(result.selected[index].count).leftPadded(to: 5))  "
                + (title.count > 90 ? String(title.prefix(87)) + "..." : title))
        }
        if let why {
            print("  patches selecting \(why):")
            for (index, patchMatches) in result.matches.enumerated() {
                guard let match = patchMatches.first(where: { $0.file.path == why }) else { continue }
                print("    \(patches[index].title)  [\(patches[index].file.split(separator: "/").last ?? "")]")
                for hit in match.hits { print("      \(hit)") }
            }
        }
    }
    if results.count > 1 {
        print("")
        print("summary: " + results.map { result in
            let mail = result.subset(isMail)
            return "\(result.label) mean \(format(result.mean)) max \(result.maximum)"
                + (mail.count > 0 && mail.count < patches.count
                    ? " (mail fixtures only: mean \(format(mail.mean)) max \(mail.maximum))" : "")
        }.joined(separator: "; "))
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

do {
    try run()
} catch let error as Usage {
    FileHandle.standardError.write(Data((error.message + "\n").utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("trigger-noise: \(error)\n".utf8))
    exit(1)
}
