import Foundation
import LoopbackServers

/// A fake model with fixed habits, so a test knows what it said: for each task it
/// reports the first added line holding a call (an error-handling question), the same
/// finding again (a duplicate), and one finding whose anchor is in no diff (unanchored).
/// The verification pass refutes findings anchored on a function definition (a
/// declaration, not a call) and confirms the rest.
enum ScriptedReviewer {
    static let strayAnchor = "this line is in no diff"

    struct Task: Equatable {
        var file: String
        var anchor: String
    }

    /// The finding the script reports for a task's user message, if it has one.
    static func finding(inTask userText: String) -> Task? {
        var file: String?
        for line in userText.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("+++ b/") { file = String(line.dropFirst(6)); continue }
            guard let file, line.hasPrefix("+"), !line.hasPrefix("+++") else { continue }
            let text = String(line.dropFirst())
            if text.contains("("), !text.trimmingCharacters(in: .whitespaces).hasPrefix("*") {
                return Task(file: file, anchor: text)
            }
        }
        return nil
    }

    static func comment(for task: Task) -> String {
        "Can this call fail here, and is the error path above it still right when it does? "
            + "The result of the call on this line is used without a visible check in this hunk."
    }

    static func refutes(_ anchor: String) -> Bool { anchor.hasPrefix("static ") }

    static func reply(_ call: FakeMessagesAPI.Call) -> FakeMessagesAPI.Reply {
        switch call.tool {
        case "report_findings":
            guard let task = finding(inTask: call.userText) else { return .tool(json: #"{"findings":[]}"#) }
            let finding: [String: Any] = ["file": task.file, "anchor": task.anchor, "category": "error-handling",
                                          "severity": "medium", "comment": comment(for: task),
                                          "evidence": "the call's result flows on unchecked"]
            var stray = finding
            stray["anchor"] = strayAnchor
            let body = try! JSONSerialization.data(withJSONObject: ["findings": [finding, finding, stray]],
                                                   options: [.sortedKeys])
            return .tool(input: body)
        case "verify_finding":
            // The anchor is the one line of its fence, labelled by the verify template.
            let refuted = refutes(call.userText.components(separatedBy: ">>> anchor line\n").dropFirst().first?
                .components(separatedBy: "\n").first ?? "")
            let verdict = refuted ? "refuted" : "confirmed"
            return .tool(json: #"{"verdict":"\#(verdict)","reason":"checked against the hunk"}"#)
        default:
            return .tool(json: "{}")
        }
    }
}

/// The standard library's mail parser (Python's `email`), as an independent check that
/// drafts are well-formed mail that threads where it should.
enum StandardMailParser {
    struct Parsed: Decodable {
        var subject: String
        var from: String
        var to: String
        var cc: String?
        var messageID: String
        var inReplyTo: String
        var references: [String]
        var body: String
        /// Every address of To and Cc, as `email.utils.getaddresses` reads them.
        var recipients: [String]
        /// The header field names, in order.
        var headerNames: [String]
        /// Python's own complaints about the header block (`m.defects`).
        var defects: [String]
    }

    static func parse(_ file: URL) throws -> Parsed {
        let script = """
            import email, email.policy, email.utils, json, sys
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
            raw = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.compat32)
            print(json.dumps({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
                "cc": str(m["cc"]) if m["cc"] else None, "messageID": str(m["message-id"]),
                "inReplyTo": str(m["in-reply-to"]), "references": str(m["references"]).split(),
                "body": m.get_content(),
                "recipients": [a for _, a in email.utils.getaddresses(raw.get_all("to", []) + raw.get_all("cc", []))],
                "headerNames": list(m.keys()), "defects": [type(d).__name__ for d in m.defects]}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "python3 email could not parse \(file.path)", code: Int(process.terminationStatus))
        }
        return try JSONDecoder().decode(Parsed.self, from: data)
    }
}
