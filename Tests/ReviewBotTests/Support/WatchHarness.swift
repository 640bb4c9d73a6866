import Foundation
import LoopbackServers
import PromptLibrary
@testable import ReviewBotKit
@testable import ReviewEngine

/// Small made-up series for watch tests: a cover letter and N patches, each changing one
/// line of a sound driver, with Message-IDs unique to `tag` so tests never share state.
enum SyntheticSeries {
    static let author = "Dev Eloper <dev@example.com>"

    static func message(id: String, subject: String, inReplyTo: String? = nil, body: String,
                        to: String = "Mai Ntainer <maint@example.org>", seconds: Int = 0) -> Data {
        var headers = [
            "From: \(author)", "To: \(to)", "Cc: linux-sound@vger.kernel.org",
            "List-Id: <linux-sound.vger.kernel.org>", "Subject: \(subject)",
            "Date: Mon, 1 Jan 2024 10:00:\(String(format: "%02d", seconds % 60)) +0000", "Message-ID: <\(id)>",
        ]
        if let inReplyTo { headers += ["In-Reply-To: <\(inReplyTo)>", "References: <\(inReplyTo)>"] }
        return Data((headers.joined(separator: "\n") + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
                     + body).utf8)
    }

    static func diff(_ n: Int, tag: String) -> String {
        """
        sound: \(tag): fix the error path of step \(n)

        Step \(n) of \(tag) ignored a failing call; check it.

        Signed-off-by: \(author)
        ---
         sound/core/\(tag).c | 2 +-
         1 file changed, 1 insertion(+), 1 deletion(-)

        diff --git a/sound/core/\(tag).c b/sound/core/\(tag).c
        index 1111111..2222222 100644
        --- a/sound/core/\(tag).c
        +++ b/sound/core/\(tag).c
        @@ -\(10 * n),3 +\(10 * n),3 @@ static int \(tag)_step(void)
         \tint err = 0;
        -\terr = old_step_\(n)(err);
        +\terr = new_step_\(n)(err);
         \treturn err;
        --\u{20}
        2.43.0

        """
    }

    /// Cover letter first, then the patches, as `git send-email` sends them.
    static func series(tag: String, parts: Int = 3, prefix: String = "PATCH", idTag: String? = nil,
                       to: String = "Mai Ntainer <maint@example.org>") -> [Data] {
        let ids = idTag ?? tag
        let cover = "\(ids)-0@example.com"
        var out = [message(id: cover, subject: "[\(prefix) 0/\(parts)] sound: \(tag): fix the error paths",
                           body: "These fix the error paths of \(tag).\n\n\(author)\n", to: to)]
        for n in 1...parts {
            out.append(message(id: "\(ids)-\(n)@example.com",
                               subject: "[\(prefix) \(n)/\(parts)] sound: \(tag): fix the error path of step \(n)",
                               inReplyTo: cover, body: diff(n, tag: tag), to: to, seconds: n))
        }
        return out
    }

    static func reply(to tag: String, part: Int, id: String) -> Data {
        message(id: id, subject: "Re: [PATCH \(part)/3] sound: \(tag): fix the error path of step \(part)",
                inReplyTo: "\(tag)-\(part)@example.com", body: "Looks fine.\n\nReviewed-by: Some One <one@example.org>\n")
    }
}

/// A watcher over loopback stand-ins, run in the background of a test.
final class WatchHarness: @unchecked Sendable {
    let home: URL
    let out: URL
    let fake: FakeMessagesAPI
    let lines = LockedLines()
    let logLines = LockedLines()
    var configuration = Configuration()
    static let apiKey = "test-key-watch-SECRET-4242"

    init(script: @escaping FakeMessagesAPI.Script = ScriptedReviewer.reply) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("rb-watch-\(UUID().uuidString)")
        out = home.appendingPathComponent("out")
        var options = FakeMessagesAPI.Options()
        options.apiKey = Self.apiKey
        fake = try FakeMessagesAPI(options: options, script: script)
        configuration.model.baseURL = fake.baseURL
        configuration.model.concurrency = 2
        configuration.drafts.from = "Mai Ntainer <maint@example.org>"
        configuration.lore.cache = false
        configuration.lore.timeoutSeconds = 5
        configuration.lore.retries = 0
        configuration.watch.pollSeconds = 0.1
        configuration.watch.settleMinutes = 30
    }

    var stateURL: URL { home.appendingPathComponent("state.sqlite") }

    /// A watcher; `run()` it in a task, `stop.request` to end it.
    func watcher(_ sources: [WatchSourceSpec], once: Bool = false, push: String? = nil, stop: RunStop,
                 environment: [String: String] = [:]) throws -> Watcher {
        let transport = try configuration.messagesTransport(environment: ["ANTHROPIC_API_KEY": Self.apiKey])!
        return try Watcher(configuration: configuration, sources: sources,
                           options: .init(outputDirectory: out, push: push, once: once,
                                          flags: SourceFlags(imapAllowPlaintext: true), environment: environment),
                           store: try StateStore(url: stateURL), transport: transport, library: try PromptLibrary.load(),
                           log: WatchLog(environment: [:], write: { [logLines] in logLines.append($0) }), stop: stop,
                           summary: { [lines] in lines.append($0) })
    }

    /// Waits until `condition` holds, or `seconds` pass; says which.
    static func wait(seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    /// The review directories written under `out`.
    var reviewDirectories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).sorted()
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
