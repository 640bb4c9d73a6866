import CurlKit
import Foundation

/// Watch mode's log on stderr, one line per event. Under systemd (`JOURNAL_STREAM` set)
/// each line starts with its syslog priority (`<3>` error, `<4>` warning, `<6>` info), which
/// journald reads as the entry's level; elsewhere the lines are plain. Text from mail or
/// servers is made visible first, so no line can carry a terminal escape or a newline.
public struct WatchLog: Sendable {
    public enum Level: Int, Sendable {
        case error = 3, warning = 4, info = 6
    }

    let journal: Bool
    let write: @Sendable (String) -> Void

    public init(environment: [String: String], write: (@Sendable (String) -> Void)? = nil) {
        journal = environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    public func line(_ level: Level, _ text: String) {
        let visible = TerminalText.visible(text)
        let label = level == .info ? "" : (level == .error ? "error: " : "warning: ")
        write(journal ? "<\(level.rawValue)>\(label)\(visible)\n" : "reviewbot watch: \(label)\(visible)\n")
    }

    public func info(_ text: String) { line(.info, text) }
    public func warn(_ text: String) { line(.warning, text) }
    public func error(_ text: String) { line(.error, text) }
}
