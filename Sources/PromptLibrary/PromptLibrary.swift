import Foundation

/// The review knowledge base: the bundled `review-prompts/` files, with a user's override
/// directory layered on top (same relative path replaces, a new path adds).
public struct PromptLibrary: Sendable {
    /// Every file, sorted by path.
    public let files: [PromptFile]
    /// Problems that did not stop loading.
    public let warnings: [PromptWarning]

    /// Loads the bundled files and, when given, the override directory (which must exist).
    public static func load(overrideDirectory: URL? = nil) throws -> PromptLibrary {
        guard let root = Bundle.module.url(forResource: "review-prompts", withExtension: nil) else {
            throw PromptLibraryError.unreadable(path: "review-prompts",
                                                reason: "the bundled prompts are missing; rebuild reviewbot")
        }
        return try PromptLibrary(bundled: root, override: overrideDirectory)
    }

    /// Loads with the usual lookup: `explicitOverride` (the `--prompts` option or the config
    /// key) must exist; without it, `$XDG_CONFIG_HOME/reviewbot/prompts` (default
    /// `~/.config/reviewbot/prompts`) is used when it exists.
    public static func load(explicitOverride: URL?, environment: [String: String]) throws -> PromptLibrary {
        if let explicitOverride { return try load(overrideDirectory: explicitOverride) }
        let fallback = defaultOverrideDirectory(environment: environment)
        let exists = fallback.map { FileManager.default.fileExists(atPath: $0.path) } ?? false
        return try load(overrideDirectory: exists ? fallback : nil)
    }

    /// `$XDG_CONFIG_HOME/reviewbot/prompts`, or `$HOME/.config/reviewbot/prompts` when
    /// XDG_CONFIG_HOME is unset or relative (the XDG spec says to ignore relative values).
    public static func defaultOverrideDirectory(environment: [String: String]) -> URL? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("reviewbot/prompts")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".config/reviewbot/prompts")
    }

    /// Loads `bundled`, then `override` on top. All problems of all files are reported
    /// together, so one run shows every mistake in an edited override directory.
    public init(bundled: URL, override: URL?) throws {
        var warnings: [PromptWarning] = []
        var problems: [PromptLibraryError] = []
        var byPath: [String: PromptFile] = [:]
        let layers: [(URL, PromptFile.Origin, String)] = [(bundled, .bundled, "review-prompts")]
            + (override.map { [($0, .override(directory: $0.path), $0.path)] } ?? [])
        for (root, origin, displayRoot) in layers {
            for relative in try Self.markdownFiles(under: root, warnings: &warnings) {
                let url = root.appendingPathComponent(relative)
                let displayPath = displayRoot + "/" + relative
                do {
                    let text: String
                    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                        throw PromptLibraryError.unreadable(path: displayPath, reason: "not UTF-8 text or unreadable")
                    }
                    byPath[relative] = try PromptFile(path: relative, displayPath: displayPath, text: text,
                                                      origin: origin, warnings: &warnings)
                } catch let error as PromptLibraryError {
                    problems.append(error)
                }
            }
        }
        let files = byPath.values.sorted { $0.path < $1.path }
        for (name, sameName) in Dictionary(grouping: files, by: \.name) where sameName.count > 1 {
            problems.append(.duplicateName(name: name, files: sameName.map(\.path)))
        }
        if let problem = PromptLibraryError.combining(problems) { throw problem }
        self.files = files
        self.warnings = warnings
    }

    /// The file whose `name` is `name`, or whose path is `name` with or without `.md`.
    public func file(named name: String) throws -> PromptFile {
        guard let file = files.first(where: { $0.name == name || $0.path == name || $0.path == name + ".md" })
        else { throw PromptLibraryError.unknownPrompt(name: name) }
        return file
    }

    /// Relative paths of the `.md` files under `root`; other files are warned about.
    private static func markdownFiles(under root: URL, warnings: inout [PromptWarning]) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw PromptLibraryError.missingDirectory(path: root.path)
        }
        guard isDirectory.boolValue else {
            throw PromptLibraryError.unreadable(path: root.path, reason: "not a directory")
        }
        let base = root.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(
            at: root.resolvingSymlinksInPath(), includingPropertiesForKeys: [.isRegularFileKey],
            options: [.skipsHiddenFiles]) else {
            throw PromptLibraryError.unreadable(path: root.path, reason: "cannot list the directory")
        }
        var paths: [String] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.resolvingSymlinksInPath().path
            guard full.hasPrefix(base + "/") else { continue }
            let relative = String(full.dropFirst(base.count + 1))
            if url.pathExtension == "md" {
                paths.append(relative)
            } else {
                warnings.append(PromptWarning(file: root.path + "/" + relative, line: nil,
                                              message: "ignored: prompt files must end in .md"))
            }
        }
        return paths.sorted()
    }
}
