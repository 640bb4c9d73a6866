import Foundation
import MboxParser

/// What a patch's commit message claims about the bugs it fixes: its `Fixes:` tags and
/// the syzbot bugs it closes, each tied to the commit-message line that says so (the
/// line a finding about it quotes).
public struct PatchClaims: Sendable, Hashable {
    public var fixes: [FixesTag]
    public var syzbot: [SyzbotReference]

    public init(fixes: [FixesTag] = [], syzbot: [SyzbotReference] = []) {
        self.fixes = fixes
        self.syzbot = syzbot
    }

    public var isEmpty: Bool { fixes.isEmpty && syzbot.isEmpty }

    /// Reads the patch's own trailers (not those collected from replies: a reviewer's
    /// `Reported-by:` in a reply is not the author's claim). At most
    /// `FixEvidenceLimits.bugsPerPatch` syzbot bugs are followed.
    public static func read(_ patch: Patch) -> PatchClaims {
        var fixes = FixesTag.all(in: patch.trailers)
        for index in fixes.indices {
            fixes[index].line = messageLine(fixes[index].line, in: patch.commitMessage)
        }
        var syzbot = Array(SyzbotReference.all(in: patch.trailers).prefix(FixEvidenceLimits.bugsPerPatch))
        for index in syzbot.indices {
            syzbot[index].line = messageLine(syzbot[index].line, in: patch.commitMessage)
        }
        return PatchClaims(fixes: fixes, syzbot: syzbot)
    }

    /// The commit-message line a trailer came from, as written: the trailer parser joins
    /// continuation lines and trims spaces, and a draft quotes the line itself. The first
    /// line with the same name and the start of the same value; the rebuilt text when none.
    static func messageLine(_ rebuilt: String, in message: String) -> String {
        guard let colon = rebuilt.firstIndex(of: ":") else { return rebuilt }
        let name = rebuilt[..<colon].lowercased()
        let value = rebuilt[rebuilt.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let start = value.prefix(24)
        for line in message.split(separator: "\n") {
            guard let lineColon = line.firstIndex(of: ":"), line[..<lineColon].lowercased() == name else { continue }
            let lineValue = line[line.index(after: lineColon)...].drop { $0 == " " || $0 == "\t" }
            if lineValue.hasPrefix(start) { return String(line) }
        }
        return rebuilt
    }
}
