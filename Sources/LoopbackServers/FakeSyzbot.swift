import CurlKit
import Foundation

/// A stand-in for the syzbot dashboard (syzkaller.appspot.com) serving fixture bugs under
/// the dashboard's real paths: `/bug?extid=X&json=1` and `/bug?id=X&json=1` (the public
/// JSON API, `application/json`), the same without `json=1` (an HTML page), and
/// `/text?tag=CrashReport&x=Y` (a report, `text/plain`); 404 for anything unknown. A mode
/// makes every answer a 404 or a 500, as a dashboard that lost the bug or is down.
public struct FakeSyzbot: Sendable {
    public struct Bug: Sendable {
        public var extid: String
        public var id: String?
        /// The JSON the API returns for the bug.
        public var json: Data
        /// Texts under `/text?...`, keyed by the link path as the JSON gives it
        /// (`/text?tag=CrashReport&x=10a38768580000`).
        public var texts: [String: Data]

        public init(extid: String, id: String? = nil, json: Data, texts: [String: Data]) {
            self.extid = extid
            self.id = id
            self.json = json
            self.texts = texts
        }
    }

    public enum Mode: Sendable {
        case normal
        /// Every path answers 404 (a bug the dashboard does not know).
        case notFound
        /// Every path answers 500, as App Engine does when the dashboard fails.
        case serverError
    }

    public let bugs: [Bug]
    public let mode: Mode

    public init(bugs: [Bug], mode: Mode = .normal) {
        self.bugs = bugs
        self.mode = mode
    }

    public func start() throws -> HTTPServer {
        try HTTPServer { request in respond(to: request) }
    }

    public func respond(to request: HTTPServerRequest) -> HTTPServerResponse {
        switch mode {
        case .notFound: return .notFound
        case .serverError: return .text("500 Internal Server Error\n", status: 500)
        case .normal: break
        }
        guard request.method == "GET" || request.method == "HEAD" else { return .text("method not allowed\n", status: 405) }
        let items = request.queryItems
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        switch request.path {
        case "/bug":
            let bug: Bug?
            if let extid = value("extid") {
                bug = bugs.first { $0.extid == extid }
            } else if let id = value("id") {
                bug = bugs.first { $0.id == id }
            } else {
                bug = nil
            }
            guard let bug else { return .notFound }
            if value("json") == "1" {
                return HTTPServerResponse(headers: ["Content-Type": "application/json"], body: bug.json)
            }
            return HTTPServerResponse(headers: ["Content-Type": "text/html; charset=utf-8"],
                                      body: Data("<html><body>bug \(bug.extid)</body></html>\n".utf8))
        case "/text":
            guard let tag = value("tag"), let x = value("x") else { return .notFound }
            for bug in bugs {
                for (path, text) in bug.texts where Self.matches(path, tag: tag, x: x) {
                    return HTTPServerResponse(headers: ["Content-Type": "text/plain; charset=utf-8"], body: text)
                }
            }
            return .notFound
        default:
            return .notFound
        }
    }

    static func matches(_ path: String, tag: String, x: String) -> Bool {
        guard let items = URLComponents(string: path)?.queryItems else { return false }
        return items.contains { $0.name == "tag" && $0.value == tag } && items.contains { $0.name == "x" && $0.value == x }
    }
}
