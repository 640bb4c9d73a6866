import Foundation

/// What kind of problem a finding is about; the contract's closed list.
public enum FindingCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case resourceLeak = "resource-leak"
    case useAfterFree = "use-after-free"
    case doubleFree = "double-free"
    case nullDeref = "null-deref"
    case race
    case locking
    case errorHandling = "error-handling"
    case bounds
    case integerOverflow = "integer-overflow"
    case uninitialized
    case apiMisuse = "api-misuse"
    case logic
    case concurrency
    case security
    case commitMessage = "commit-message"
    case style
    case other
}

/// Ordered so that a severity floor is a comparison.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One finding exactly as the model reported it through `report_findings`; untrusted until
/// anchored.
public struct Finding: Sendable, Hashable, Codable {
    public var file: String
    public var anchor: String
    public var category: FindingCategory
    public var severity: Severity
    public var comment: String
    public var evidence: String?

    public init(file: String, anchor: String, category: FindingCategory, severity: Severity,
                comment: String, evidence: String? = nil) {
        self.file = file
        self.anchor = anchor
        self.category = category
        self.severity = severity
        self.comment = comment
        self.evidence = evidence
    }
}

/// The verdict of the verification pass (`verify_finding`).
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case confirmed, refuted, uncertain
}

/// Why a tool input was rejected; shown in the report next to the raw answer.
public struct ToolInputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}

/// Strict decoding of tool inputs: every required field present with the right type, enums
/// from the closed lists, no unknown keys. Nothing is repaired.
public enum ToolInput {
    static let findingKeys: Set<String> = ["file", "anchor", "category", "severity", "comment", "evidence"]

    /// Decodes `report_findings` input.
    public static func findings(_ input: JSONValue) throws(ToolInputError) -> [Finding] {
        let top = try object(input, "input", allowed: ["findings"])
        guard case .array(let items)? = top["findings"] else {
            throw ToolInputError(description: "input.findings is missing or not an array")
        }
        var result: [Finding] = []
        for (index, item) in items.enumerated() {
            let path = "findings[\(index)]"
            let fields = try object(item, path, allowed: findingKeys)
            let categoryText = try string(fields, "category", path)
            guard let category = FindingCategory(rawValue: categoryText) else {
                throw ToolInputError(description: "\(path).category \"\(categoryText)\" is not in the contract's list")
            }
            let severityText = try string(fields, "severity", path)
            guard let severity = Severity(rawValue: severityText) else {
                throw ToolInputError(description: "\(path).severity \"\(severityText)\" is not low, medium or high")
            }
            var evidence: String?
            switch fields["evidence"] {
            case nil, .null?: evidence = nil
            case .string(let text)?: evidence = text
            default: throw ToolInputError(description: "\(path).evidence is not a string")
            }
            result.append(Finding(file: try string(fields, "file", path), anchor: try string(fields, "anchor", path),
                                  category: category, severity: severity,
                                  comment: try string(fields, "comment", path), evidence: evidence))
        }
        return result
    }

    /// Decodes `verify_finding` input.
    public static func verdict(_ input: JSONValue) throws(ToolInputError) -> (Verdict, String) {
        let fields = try object(input, "input", allowed: ["verdict", "reason"])
        let text = try string(fields, "verdict", "input")
        guard let verdict = Verdict(rawValue: text) else {
            throw ToolInputError(description: "input.verdict \"\(text)\" is not confirmed, refuted or uncertain")
        }
        return (verdict, try string(fields, "reason", "input"))
    }

    private static func object(_ value: JSONValue, _ path: String,
                               allowed: Set<String>) throws(ToolInputError) -> [String: JSONValue] {
        guard case .object(let fields) = value else { throw ToolInputError(description: "\(path) is not an object") }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ToolInputError(description: "\(path) has unknown field \"\(unknown)\"")
        }
        return fields
    }

    private static func string(_ fields: [String: JSONValue], _ key: String,
                               _ path: String) throws(ToolInputError) -> String {
        guard case .string(let text)? = fields[key] else {
            throw ToolInputError(description: "\(path).\(key) is missing or not a string")
        }
        return text
    }
}
