import Foundation

extension PatchSeries {
    /// A compact listing for a terminal: the revision, each slot with the trailers `b4 am`
    /// would add, missing slots, other revisions, and trailers left out.
    public var listing: String {
        var lines: [String] = []
        var tags = prefixes
        if isRFC { tags.insert("RFC", at: 0) }
        if isResend { tags.append("RESEND") }
        let version = fractionalRevision.map { "v\($0)" } ?? "v\(revision)"
        let state = isComplete ? "complete" : "INCOMPLETE"
        let tagText = tags.isEmpty ? "" : " [" + tags.joined(separator: " ") + "]"
        lines.append("\(version)\(tagText): \(patches.count) of \(total) patches, \(state)")
        if let cover {
            lines.append("  cover: \(cover.subject.title) <\(cover.message.messageID ?? "no message-id")>")
        }
        if let rerolledFrom {
            lines.append("  partial reroll: slots not re-sent come from v\(rerolledFrom)")
        }
        var byIndex: [Int: SeriesPatch] = [:]
        for patch in patches { byIndex[patch.index] = patch }
        let width = String(total).count
        for index in 1...max(total, 1) {
            let counter = String(repeating: " ", count: width - String(index).count) + "\(index)/\(total)"
            guard let patch = byIndex[index] else {
                lines.append("  [\(counter)] MISSING")
                continue
            }
            let origin = patch.rerolledFrom.map { " (from v\($0))" } ?? ""
            lines.append("  [\(counter)] \(patch.commitTitle)\(origin)")
            for trailer in patch.collectedTrailers {
                lines.append("      + \(trailer.name): \(trailer.value)")
            }
        }
        if !missing.isEmpty {
            lines.append("missing: " + missing.map(String.init).joined(separator: ", "))
        }
        if !otherVersions.isEmpty {
            lines.append("other versions: " + otherVersions.map { "v\($0)" }.joined(separator: ", "))
        }
        if !ignoredTrailers.isEmpty {
            lines.append("not applied (the reply was not sent by the person named):")
            for ignored in ignoredTrailers {
                let sender = ignored.sender.map { $0.name.isEmpty ? $0.email : "\($0.name) <\($0.email)>" } ?? "unknown sender"
                lines.append("  ! \(ignored.trailer.name): \(ignored.trailer.value) (from \(sender))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
