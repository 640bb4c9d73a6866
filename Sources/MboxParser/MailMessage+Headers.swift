import Foundation

extension MailMessage {
    /// Every header field in order, unfolded and decoded.
    public var headers: [MailHeader] {
        var ignored: [String] = []
        return header.fields.map { mailHeader($0, warnings: &ignored) }
    }

    /// The first field called `name` (any case), decoded; nil when absent.
    public func header(_ name: String) -> String? {
        var ignored: [String] = []
        return fields(named: name).first.map { decodedValue($0, warnings: &ignored) }
    }

    /// Every field called `name` (any case), decoded, in order.
    public func headers(_ name: String) -> [String] {
        var ignored: [String] = []
        return fields(named: name).map { decodedValue($0, warnings: &ignored) }
    }

    /// Message-ID without angle brackets. Empty or duplicated headers are common in real
    /// archives: the first non-empty one wins.
    public var messageID: String? {
        for value in rawValues("message-id") {
            if let id = Self.messageIDs(in: value).first { return id }
        }
        return nil
    }

    /// The message this one answers (first id of In-Reply-To), without angle brackets.
    public var inReplyTo: String? {
        for value in rawValues("in-reply-to") {
            if let id = Self.messageIDs(in: value).first { return id }
        }
        return nil
    }

    /// All ids of every References header, in order, without duplicates or brackets.
    public var references: [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for value in rawValues("references") {
            for id in Self.messageIDs(in: value) where seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// The decoded Subject, nil when there is none.
    public var subject: String? { header("subject") }

    /// The first address of From, decoded.
    public var from: MailAddress? {
        rawValues("from").lazy.compactMap { MailAddress.parseList($0).first }.first
    }

    /// Every address of every To header.
    public var to: [MailAddress] { rawValues("to").flatMap { MailAddress.parseList($0) } }

    /// Every address of every Cc header.
    public var cc: [MailAddress] { rawValues("cc").flatMap { MailAddress.parseList($0) } }

    /// The Date header as written (unfolded), nil when absent.
    public var dateString: String? { rawValues("date").first.map { $0.trimmedWhitespace() } }

    /// The Date header parsed as RFC 5322 (obsolete forms included); nil when unreadable.
    public var date: Date? { dateString.flatMap(MailDate.parse) }

    // MARK: - Decoding

    func fields(named name: String) -> [HeaderField] {
        let wanted = Array(name.lowercased().utf8)
        return raw.withUnsafeBufferPointer { bytes in
            header.fields.filter { field in
                guard field.nameEnd - field.nameStart == wanted.count else { return false }
                for k in 0..<wanted.count where bytes[field.nameStart + k] | 0x20 != wanted[k] | 0x20 { return false }
                return true
            }
        }
    }

    /// Unfolded values before RFC 2047 decoding, for structured fields (addresses, ids)
    /// whose syntax must be read before any encoded-word is decoded.
    func rawValues(_ name: String) -> [String] {
        fields(named: name).map { field in
            String(decoding: unfolded(field), as: UTF8.self)
        }
    }

    /// The value bytes with line breaks of folding removed and outer blanks trimmed.
    func unfolded(_ field: HeaderField) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.valueEnd - field.valueStart)
        for k in field.valueStart..<field.valueEnd {
            let c = raw[k]
            if c != 0x0D && c != 0x0A { bytes.append(c) }
        }
        var start = 0
        var end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return Array(bytes[start..<end])
    }

    func decodedValue(_ field: HeaderField, warnings: inout [String]) -> String {
        EncodedWord.decodeHeaderText(unfolded(field), warnings: &warnings)
    }

    func mailHeader(_ field: HeaderField, warnings: inout [String]) -> MailHeader {
        let name = String(decoding: raw[field.nameStart..<field.nameEnd], as: UTF8.self)
        var local: [String] = []
        let value = decodedValue(field, warnings: &local)
        warnings += local.map { "header \(name): \($0)" }
        return MailHeader(name: name, value: value, rawValue: Array(raw[field.valueStart..<field.valueEnd]))
    }

    /// `<id>` tokens in order; a bare token when a sender forgot the brackets.
    static func messageIDs(in value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let id = rest[rest.index(after: open)..<close].trimmedWhitespace()
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            let bare = value.trimmedWhitespace()
            if !bare.isEmpty, !bare.contains(" "), !bare.contains("<") { ids.append(bare) }
        }
        return ids
    }
}
