import Foundation

extension MessagesAPI.Tool {
    /// The fixed contract's review tool (claude-api.md); the schema mirrors `ToolInput`.
    public static let reportFindings = MessagesAPI.Tool(
        name: "report_findings",
        description: "Report the problems found in this task's diff. An empty findings list is a normal answer.",
        inputSchema: [
            "type": "object",
            "additionalProperties": false,
            "required": ["findings"],
            "properties": [
                "findings": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["file", "anchor", "category", "severity", "comment"],
                        "properties": [
                            "file": ["type": "string",
                                     "description": "path as in the diff (b/ side, no a/ or b/ prefix)"],
                            "anchor": ["type": "string",
                                       "description": "the exact text of ONE line of this task's diff that the finding is about, without its leading '+', '-' or ' ' marker"],
                            "category": ["type": "string",
                                         "enum": .array(FindingCategory.allCases.map { .string($0.rawValue) })],
                            "severity": ["type": "string",
                                         "enum": .array(Severity.allCases.map { .string($0.rawValue) })],
                            "comment": ["type": "string",
                                        "description": "plain-text review comment for the mailing list"],
                            "evidence": ["type": "string",
                                         "description": "the call chain / code facts that prove it"],
                        ],
                    ],
                ],
            ],
        ])

    /// The fixed contract's verification tool.
    public static let verifyFinding = MessagesAPI.Tool(
        name: "verify_finding",
        description: "Give a verdict on the finding shown, after trying to refute it with the code.",
        inputSchema: [
            "type": "object",
            "additionalProperties": false,
            "required": ["verdict", "reason"],
            "properties": [
                "verdict": ["type": "string", "enum": .array(Verdict.allCases.map { .string($0.rawValue) })],
                "reason": ["type": "string", "description": "plain text"],
            ],
        ])

    /// The fixed contract's eval tool (claude-api.md): does one of the kept findings
    /// describe a known problem? `finding` is the index of the matching finding, -1 for none.
    public static let judgeDetection = MessagesAPI.Tool(
        name: "judge_detection",
        description: "Say whether one of the findings shown describes the known problem, and which one.",
        inputSchema: [
            "type": "object",
            "additionalProperties": false,
            "required": ["verdict", "finding", "reason"],
            "properties": [
                "verdict": ["type": "string", "enum": .array(DetectionVerdict.allCases.map { .string($0.rawValue) })],
                "finding": ["type": "integer",
                            "description": "index of the kept finding that matches, -1 for none"],
                "reason": ["type": "string", "description": "plain text"],
            ],
        ])
}
