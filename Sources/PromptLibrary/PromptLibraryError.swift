import Foundation

/// Everything that can go wrong while loading, matching or rendering review prompts.
/// Messages follow git style: lowercase, no full stop, and say where and what to do.
public enum PromptLibraryError: Error, Equatable, CustomStringConvertible {
    /// A file or directory could not be read.
    case unreadable(path: String, reason: String)
    /// The `--prompts` directory (or another explicitly named one) does not exist.
    case missingDirectory(path: String)
    /// The front matter of `file` is malformed at `line`.
    case frontMatter(file: String, line: Int, problem: String)
    /// A trigger glob or regex does not compile.
    case invalidTrigger(file: String, line: Int, pattern: String, problem: String)
    /// Two files declare the same `name`.
    case duplicateName(name: String, files: [String])
    /// No file has this name or path.
    case unknownPrompt(name: String)
    /// `render` was asked for a file that is not under `templates/`.
    case notATemplate(name: String)
    /// A `{{...}}` in a template is not a valid placeholder.
    case badPlaceholder(template: String, line: Int, text: String)
    /// A template uses a variable that was not supplied.
    case missingVariable(template: String, variable: String)
    /// Several files failed; each problem is listed.
    case several([PromptLibraryError])

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "cannot read \(path): \(reason)"
        case let .missingDirectory(path):
            "prompt directory \(path) does not exist; create it or drop --prompts"
        case let .frontMatter(file, line, problem):
            "\(file):\(line): \(problem)"
        case let .invalidTrigger(file, line, pattern, problem):
            "\(file):\(line): bad trigger '\(pattern)': \(problem); fix or remove this trigger"
        case let .duplicateName(name, files):
            "prompt name '\(name)' is declared by \(files.joined(separator: " and ")); names must be unique"
        case let .unknownPrompt(name):
            "no prompt file named '\(name)'; 'reviewbot prompts list' shows the names"
        case let .notATemplate(name):
            "\(name) is not a template; only files under templates/ can be rendered"
        case let .badPlaceholder(template, line, text):
            "\(template):\(line): '\(text)' is not a placeholder; write {{name}} with letters, digits and '_'"
        case let .missingVariable(template, variable):
            "\(template) uses {{\(variable)}} but no value was given for it"
        case let .several(errors):
            errors.map(\.description).joined(separator: "\n")
        }
    }

    /// Combines collected problems into one error, or nil when there are none.
    static func combining(_ errors: [PromptLibraryError]) -> PromptLibraryError? {
        switch errors.count {
        case 0: nil
        case 1: errors[0]
        default: .several(errors)
        }
    }
}

/// A problem that does not stop loading (an unknown front-matter key, a stray file).
public struct PromptWarning: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: warning: message`, the form compilers and swift-format print.
    public var description: String {
        if let line { "\(file):\(line): warning: \(message)" } else { "\(file): warning: \(message)" }
    }
}
