extension MailMessage {
    /// The body a patch parser reads, as `git mailinfo` would see it: the first text/plain
    /// part (for a single-part mail, its text if it is text/*), followed by every later part
    /// that carries a patch (text/x-patch, text/x-diff, a `.patch`/`.diff` filename, or an
    /// octet-stream or text part whose content starts like a diff), in order. HTML is used
    /// only when the mail has no plain text at all. Transfer encodings and charsets are
    /// undone; transport CRLF becomes LF.
    ///
    /// `format=flowed` text is unflowed the way git mailinfo does it (git 2.39
    /// `handle_filter_flowed`, checked on the format-flowed fixture): one leading space
    /// unstuffed, lines ending in a space joined with the next (that space dropped with
    /// `delsp=yes`), `-- ` kept. git applies this to the patch too, and it is what repairs
    /// a patch a flowed mailer wrapped; a patch whose own lines end in blanks and that was
    /// sent as flowed without space-stuffing is damaged either way.
    public var bodyText: String {
        var ignored: [String] = []
        return decodeBody(warnings: &ignored)
    }

    /// Every leaf part of the MIME tree, decoded from its transfer encoding.
    public var parts: [MIMEPart] {
        raw.withUnsafeBufferPointer { bytes in
            leaves.map { leaf in
                MIMEPart(contentType: leaf.contentType.value, charset: leaf.charset, filename: leaf.filename,
                         transferEncoding: leaf.transferEncoding, isAttachment: leaf.isAttachment,
                         decodedBytes: leaf.decoded(bytes))
            }
        }
    }

    /// What the reader tolerated in this message: invalid bytes, unknown charsets.
    public var warnings: [ParseWarning] {
        var reasons: [String] = []
        for field in header.fields { _ = mailHeader(field, warnings: &reasons) }
        _ = decodeBody(warnings: &reasons)
        var seen = Set<String>()
        return reasons.filter { seen.insert($0).inserted }.map { ParseWarning(location: location, reason: $0) }
    }

    /// The body bytes chosen for `bodyText`, decoded from their transfer encoding but not
    /// their charset. Diff markers are ASCII, so a quick "is this a patch" test can look
    /// here without building a String.
    func bodyByteSegments() -> [(bytes: [UInt8], charset: String?)] {
        raw.withUnsafeBufferPointer { bytes in
            var segments: [(bytes: [UInt8], charset: String?)] = []
            if leaves.count == 1, let leaf = leaves.first {
                let decoded = leaf.text(bytes)
                if leaf.contentType.isText || Self.startsWithDiff(decoded) || leaf.hasPatchName {
                    segments.append((decoded, leaf.charset))
                }
                return segments
            }
            let bodyIndex = leaves.firstIndex { $0.contentType.value == "text/plain" }
                ?? leaves.firstIndex { $0.contentType.isText }
            for (index, leaf) in leaves.enumerated() {
                if index == bodyIndex {
                    segments.append((leaf.text(bytes), leaf.charset))
                } else if let bodyIndex, index < bodyIndex {
                    continue
                } else if leaf.mayHoldPatch {
                    let decoded = leaf.text(bytes)
                    if leaf.hasPatchName || leaf.isPatchType || Self.startsWithDiff(decoded) {
                        segments.append((decoded, leaf.charset))
                    }
                }
            }
            return segments
        }
    }

    func decodeBody(warnings: inout [String]) -> String {
        var text = ""
        for segment in bodyByteSegments() {
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
            text += Charset.decode(segment.bytes, charset: segment.charset, warnings: &warnings)
        }
        return text
    }

    /// Whether the content begins (after blank lines) like a patch: a format-patch header,
    /// a git or unified diff, or a CVS `Index:` line.
    static func startsWithDiff(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count && (bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x20) { i += 1 }
        let head = bytes[i..<min(bytes.count, i + 16)]
        for prefix in ["diff ", "--- ", "Index: ", "From ", "From: "] where head.starts(with: prefix.utf8) {
            return true
        }
        return false
    }
}

extension MIMELeaf {
    var isPatchType: Bool {
        ["text/x-patch", "text/x-diff", "text/x-diff-patch", "application/x-patch", "application/x-diff"]
            .contains(contentType.value)
    }

    var hasPatchName: Bool {
        guard let name = filename?.lowercased() else { return false }
        return name.hasSuffix(".patch") || name.hasSuffix(".diff")
    }

    /// Parts worth decoding to look for a patch: never HTML or images.
    var mayHoldPatch: Bool {
        isPatchType || hasPatchName || contentType.value == "text/plain" || contentType.value == "application/octet-stream"
    }

    func decoded(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        TransferEncoding.decode(UnsafeBufferPointer(rebasing: raw[bodyStart..<bodyEnd]), encoding: transferEncoding)
    }

    /// `decoded`, then unflowed when the part says `format=flowed`.
    func text(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let bytes = decoded(raw)
        guard contentType.parameters["format"]?.lowercased() == "flowed" else { return bytes }
        return Self.unflowed(bytes, delSp: contentType.parameters["delsp"]?.lowercased() == "yes")
    }

    static func unflowed(_ bytes: [UInt8], delSp: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pending: [UInt8] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let hasNewline = end < bytes.count
            var line = bytes[start..<end]
            start = end + 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.elementsEqual("-- ".utf8) {
                out += pending
                pending.removeAll()
            } else {
                if line.first == 0x20 { line = line.dropFirst() }
                if line.last == 0x20 {
                    pending += delSp ? line.dropLast() : line
                    continue
                }
            }
            out += pending
            pending.removeAll()
            out += line
            if hasNewline { out.append(0x0A) }
        }
        out += pending
        return out
    }
}

extension MailMessage {
    /// Whether the body part says `format=flowed` (RFC 3676), and with `delsp=yes`.
    /// `bodyText` is never unflowed; git mailinfo unflows only the commit message (the
    /// text above the patch), so a patch parser that wants git's result does that itself.
    public var bodyFormatFlowed: (flowed: Bool, delSp: Bool) {
        let leaf = leaves.count == 1 ? leaves.first : leaves.first { $0.contentType.value == "text/plain" }
        guard let parameters = leaf?.contentType.parameters else { return (false, false) }
        return (parameters["format"]?.lowercased() == "flowed", parameters["delsp"]?.lowercased() == "yes")
    }
}
