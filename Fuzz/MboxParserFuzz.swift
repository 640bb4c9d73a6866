// libFuzzer entry for the mail layer and the diff parser. Not part of the package: scripts/fuzz-mbox compiles
// it with the MboxParser sources into one module, with -sanitize=fuzzer,address.
import Foundation

/// One scratch file reused by every run: the mbox reader works on file descriptors.
nonisolated(unsafe) private var scratch: UnsafeMutablePointer<FILE>? = tmpfile()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Small limits so hostile shapes hit them quickly.
    let limits = ParserLimits(maxHeaderBytes: 4096, maxHeaderCount: 64, maxMIMEDepth: 8, maxMIMEParts: 64,
                              maxLineBytes: 2048, maxMessageBytes: 1 << 16)
    exercise(bytes, limits: limits)
    // The input as a mail body too, so diff parsing sees hostile diffs directly.
    fuzzPatchParser(String(decoding: bytes, as: UTF8.self))

    guard let file = scratch else { return 0 }
    let fd = fileno(file)
    _ = ftruncate(fd, 0)
    _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, size, 0) }
    _ = lseek(fd, 0, SEEK_SET)
    for format in [MboxFormat.automatic, .mboxo] {
        _ = lseek(fd, 0, SEEK_SET)
        let reader = MboxStreamReader(fd: fd, file: "fuzz", ownsDescriptor: false, format: format, limits: limits)
        var count = 0
        while let item = reader.next() {
            count += 1
            if count > size + 2 { fatalError("reader yields more messages than input bytes") }
            if case .success(let raw) = item {
                if raw.bytes.count > size { fatalError("message larger than input") }
                exercise(raw.bytes, limits: limits)
            }
        }
    }
    return 0
}

private func exercise(_ bytes: [UInt8], limits: ParserLimits) {
    guard let message = try? MailMessage(raw: bytes, location: MessageLocation(file: "fuzz", number: 1), limits: limits)
    else { return }
    _ = message.headers
    _ = (message.messageID, message.inReplyTo, message.references, message.subject)
    _ = (message.from, message.to, message.cc, message.date)
    _ = message.parts
    _ = message.warnings
    _ = MailboxScan.holdsPatch(message)
    _ = PatchSubject.parse(message.subject ?? "")
    fuzzPatchParser(message.bodyText)
    _ = SeriesAssembler(messages: [SeriesMessage(message)]).candidates
}

private func fuzzPatchParser(_ body: String) {
    let patch = PatchParser.parse(body: body)
    // Counts must stay consistent with the lines parsed, whatever the input.
    for file in patch.files {
        for hunk in file.hunks where hunk.added + hunk.removed > hunk.lines.count {
            fatalError("hunk counts exceed its lines")
        }
    }
    _ = PatchParser.containsDiff(body)
}
