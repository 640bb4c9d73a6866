// libFuzzer target over the drafting path: a hostile patch mail in, the reply drafted the
// way `reviewbot review` drafts it, the reply read back the way `reviewbot send` reads it.
// Built only by scripts/fuzz-drafts (REVIEWBOT_FUZZ=1 swift build --sanitize fuzzer,address).
//
// Asserts, for every input the mail reader accepts:
// - the written .eml parses with our strict draft reader (OutgoingDraft), with exactly the
//   recipients the original mail gave (its author, To and Cc whose addresses can be
//   written, each once, never the reviewer in Cc);
// - no header line holds a control character, raw or after RFC 2047 decoding;
// - the subject and threading headers decode back to what the original said.
import Foundation
import MboxParser
import ReviewBotKit
import ReviewEngine

let reviewer = MailAddress(name: "Rev Iewer", email: "rev@example.net")
let settings = DraftSettings(reviewer: reviewer, disclosure: "This review was drafted with an AI assistant.")
// Small limits, so hostile shapes reach them quickly.
let limits = ParserLimits(maxHeaderBytes: 16_384, maxHeaderCount: 128, maxMIMEDepth: 8, maxMIMEParts: 64,
                          maxLineBytes: 8_192, maxMessageBytes: 1 << 17)

func fail(_ what: String, _ mail: String) -> Never {
    fatalError("\(what)\n----- draft -----\n\(mail)\n-----")
}

func check(_ bytes: [UInt8]) {
    guard let message = try? MailMessage(raw: bytes, location: MessageLocation(file: "fuzz", number: 1), limits: limits)
    else { return }
    let series = SeriesMessage(message)
    let original = OriginalMail(series)
    let patch = series.patch ?? Patch()
    // Hostile body text too: a comment made of the mail's own words, and one on its diff.
    var comments = [DraftComment(anchor: .commitMessage("no such line"), severity: "low", category: "style",
                                 text: String(series.bodyText.prefix(300)))]
    if let hunk = patch.files.first?.hunks.first, !hunk.lines.isEmpty {
        comments.append(DraftComment(anchor: .diff(file: 0, hunk: 0, line: hunk.lines.count - 1), severity: "high",
                                     category: "logic", text: String(series.subject.prefix(200))))
    }
    let draft = ReviewDraft.make(ReviewDraftInput(mail: original, title: series.subject, body: series.bodyText,
                                                  patch: patch, comments: comments),
                                 settings: settings, date: Date(timeIntervalSince1970: 1_700_000_000))
    let mail = draft.mail

    // No control character in any header line, as written.
    let head = mail.components(separatedBy: "\n\n")[0]
    for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || !$0.isASCII }) {
            fail("a header line holds a control or 8-bit character: \(TerminalText.visible(String(line)))", mail)
        }
        if line.utf8.count > 998 { fail("a header line over 998 octets", mail) }
    }

    // The recipients the original gave, worked out here on their own.
    var expected: [String] = []
    var seen: Set<String> = [reviewer.email.lowercased()]
    if MailHeaderText.isAddrSpec(original.author.email) {
        expected.append(original.author.email.lowercased())
        seen.insert(original.author.email.lowercased())
    }
    for address in original.to + original.cc where MailHeaderText.isAddrSpec(address.email) {
        if seen.insert(address.email.lowercased()).inserted { expected.append(address.email.lowercased()) }
    }

    let outgoing: OutgoingDraft
    do {
        outgoing = try OutgoingDraft(file: "0001.eml", bytes: Data(mail.utf8))
    } catch {
        if expected.isEmpty, "\(error)".hasSuffix("no recipients in To, Cc or Bcc") { return }
        // RFC 5321 asks servers to take 100 recipients; send refuses more rather than split.
        if expected.count > 100, "\(error)".contains("more than 100") { return }
        fail("our reader refuses the draft: \(error)", mail)
    }
    if outgoing.recipients.map({ $0.lowercased() }) != expected {
        fail("recipients \(outgoing.recipients) but the original gave \(expected)", mail)
    }
    if !outgoing.bcc.isEmpty { fail("a Bcc appeared", mail) }
    if outgoing.sender != reviewer.email { fail("sender \(outgoing.sender)", mail) }

    // Decoded, the headers say what the original said, on one line each.
    guard let reread = try? MailMessage(raw: Array(mail.utf8), location: MessageLocation(file: "draft", number: 1)) else {
        fail("the mail reader cannot read the draft", mail)
    }
    for header in reread.headers where header.value.unicodeScalars.contains(where: MailHeaderText.isControl) {
        fail("header \(header.name) decodes to a control character", mail)
    }
    let subject = MailHeaderText.singleLine(original.subject)
    let wanted = MailHeaderText.singleLine(subject.lowercased().hasPrefix("re:") ? subject : "Re: " + subject)
    if reread.subject != wanted { fail("subject \(reread.subject ?? "nil") instead of \(wanted)", mail) }
    if MailHeaderText.isMessageID(original.messageID) {
        if reread.inReplyTo != original.messageID { fail("In-Reply-To \(reread.inReplyTo ?? "nil")", mail) }
    } else if reread.inReplyTo != nil || !reread.references.isEmpty {
        fail("threading headers for a patch without a usable Message-ID", mail)
    }
}

// SwiftPM builds a fuzzer executable as a library (-parse-as-library): libFuzzer brings
// main and calls this for every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
