import CurlKit
import Foundation
import ReviewBotKit
import ReviewEngine

/// One self-rewriting status line on stderr while a review runs, only on a terminal:
/// piped or logged stderr stays quiet.
final class ProgressLine: Sendable {
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ p: ReviewProgress) {
        guard enabled else { return }
        let cost = p.cost.map { String(format: ", $%.4f", $0) } ?? ""
        let tokens = p.usage.input + p.usage.cacheWrite + p.usage.cacheRead + p.usage.output
        // Only our own escape (clear the line) may reach the terminal; the status is text.
        let status = TerminalText.visible("\(p.phase.rawValue): \(p.done)/\(p.total) \(p.phase.unit), \(tokens) tokens\(cost)")
        FileHandle.standardError.write(Data("\r\u{1B}[K\(status)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
