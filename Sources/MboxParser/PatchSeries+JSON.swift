import Foundation

/// A JSON value whose objects keep their key order, so output is byte-for-byte stable.
public indirect enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    public static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool { lhs.rendered() == rhs.rendered() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

    /// Two-space indented JSON, keys in the order given, ending without a newline.
    public func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .string(let value): return Self.quote(value)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { inner + Self.quote($0.0) + ": " + $0.1.rendered(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension PatchSeries {
    /// The `reviewbot series --json` document (shape fixed by issue 3).
    public var json: OrderedJSON {
        .object([
            ("version", .int(revision)),
            ("total", .int(total)),
            ("complete", .bool(isComplete)),
            ("missing", .array(missing.map(OrderedJSON.int))),
            ("rfc", .bool(isRFC)),
            ("resend", .bool(isResend)),
            ("prefixes", .array(prefixes.map(OrderedJSON.string))),
            ("cover", cover.map { cover in
                .object([
                    ("messageId", Self.optional(cover.message.messageID)),
                    ("subject", .string(cover.subject.full)),
                    ("title", .string(cover.subject.title)),
                ])
            } ?? .null),
            ("otherVersions", .array(otherVersions.map(OrderedJSON.int))),
            ("patches", .array(patches.map(\.json))),
        ])
    }

    static func optional(_ text: String?) -> OrderedJSON { text.map(OrderedJSON.string) ?? .null }
}

extension SeriesPatch {
    public var json: OrderedJSON {
        .object([
            ("index", .int(index)),
            ("total", .int(total)),
            ("messageId", PatchSeries.optional(message.messageID)),
            ("subject", .string(subject.full)),
            ("title", .string(subject.title)),
            ("author", message.author.map { .object([("name", .string($0.name)), ("email", .string($0.email))]) } ?? .null),
            ("date", PatchSeries.optional(message.date.map(Self.rfc3339))),
            ("trailers", .array(trailers.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) })),
            ("files", .array((message.patch?.files ?? []).map(Self.fileJSON))),
        ])
    }

    static func fileJSON(_ file: FileDiff) -> OrderedJSON {
        let moved = (file.status == .renamed || file.status == .copied) ? file.oldPath : nil
        return .object([
            ("path", .string(file.path)),
            ("oldPath", PatchSeries.optional(moved)),
            ("status", .string(file.status.rawValue)),
            ("added", .int(file.added)),
            ("removed", .int(file.removed)),
            ("binary", .bool(file.isBinary)),
            ("hunks", .int(file.hunks.count)),
        ])
    }

    /// RFC 3339 in UTC (`2021-10-31T12:22:16Z`).
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
