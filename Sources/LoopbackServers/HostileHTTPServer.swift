import CurlKit
import Foundation

/// An HTTP/1.1 server on 127.0.0.1 that answers the way broken proxies, hostile mirrors
/// and failing gateways do: bodies too large, without end, dribbled a byte at a time,
/// with a Content-Length that lies, a gzip file that expands a thousandfold, a 200 that is
/// not JSON and echoes the request headers (the API key with them), a flood of header
/// fields. Every answer is streamed as it is made, so "huge" and "endless" cost the
/// server no memory. Requests are read and recorded like `HTTPServer`'s.
public final class HostileHTTPServer: Sendable {
    /// One misbehaviour.
    public enum Answer: Sendable {
        /// A well-formed answer, for the requests around the hostile one.
        case normal(HTTPServerResponse)
        /// `bytes` of `fill` with a true Content-Length, sent as fast as the client reads.
        case huge(bytes: Int, status: Int = 200, fill: UInt8 = UInt8(ascii: "x"))
        /// A chunked body that never ends: the server writes until the client hangs up.
        case endless(status: Int = 200)
        /// `body` one byte per `interval` seconds, the headers at once.
        case dribble(body: Data, interval: Double, status: Int = 200)
        /// A Content-Length of `claimed` with `body` after it, then the connection closes.
        case lyingLength(claimed: Int, body: Data)
        /// A gzip file of `members` copies of a member holding `memberBytes` zero bytes:
        /// a few KB per MB on the wire, as lore's `t.mbox.gz` is served.
        case gzipBomb(memberBytes: Int, members: Int)
        /// `status` with a `text/plain` body listing every request header as received.
        case echoHeaders(status: Int = 200)
        /// `count` header fields before an empty body.
        case headerFlood(count: Int)
    }

    public typealias Handler = @Sendable (HTTPServerRequest) -> Answer

    public let port: UInt16
    private let listener: LoopbackListener
    private let log = Locked<[HTTPServerRequest]>([])

    public init(handler: @escaping Handler) throws {
        let log = self.log
        listener = try LoopbackListener { connection in
            guard let request = HTTPServer.readRequest(connection) else { return }
            log.withLock { $0.append(request) }
            HostileHTTPServer.answer(handler(request), to: request, on: connection)
        }
        port = listener.port
    }

    /// One answer for every request.
    public convenience init(always answer: Answer) throws {
        try self.init { _ in answer }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [HTTPServerRequest] { log.withLock { $0 } }

    public func stop() { listener.stop() }

    deinit { listener.stop() }

    /// Bytes per write of a generated body.
    static let writeChunk = 64 * 1024

    static func answer(_ answer: Answer, to request: HTTPServerRequest, on connection: LoopbackConnection) {
        switch answer {
        case .normal(let response):
            connection.write(HTTPServer.encode(response, headOnly: false))
        case .huge(let bytes, let status, let fill):
            connection.write(head(status, ["Content-Type": "application/octet-stream", "Content-Length": String(bytes)]))
            let block = Data(repeating: fill, count: writeChunk)
            var left = bytes
            while left > 0 {
                let part = min(left, block.count)
                guard connection.write(block.prefix(part)) else { return }
                left -= part
            }
        case .endless(let status):
            connection.write(head(status, ["Content-Type": "application/json", "Transfer-Encoding": "chunked"]))
            let block = Data(repeating: UInt8(ascii: "a"), count: writeChunk)
            let chunk = Data(String(block.count, radix: 16).utf8) + Data("\r\n".utf8) + block + Data("\r\n".utf8)
            while connection.write(chunk) {}
        case .dribble(let body, let interval, let status):
            connection.write(head(status, ["Content-Type": "application/json", "Content-Length": String(body.count)]))
            for byte in body {
                guard connection.write(Data([byte])) else { return }
                Thread.sleep(forTimeInterval: interval)
            }
        case .lyingLength(let claimed, let body):
            connection.write(head(200, ["Content-Type": "application/json", "Content-Length": String(claimed)]))
            connection.write(body)
        case .gzipBomb(let memberBytes, let members):
            let member = (try? Gzip.compress(Data(count: memberBytes), level: 9)) ?? Data()
            connection.write(head(200, ["Content-Type": "application/gzip", "Content-Length": String(member.count * members)]))
            for _ in 0..<members {
                guard connection.write(member) else { return }
            }
        case .echoHeaders(let status):
            // What a misconfigured proxy's debug page does: the request, headers and all.
            var echo = "\(request.method) \(request.target)\n"
            for field in request.headers { echo += "\(field.name): \(field.value)\n" }
            let body = Data(echo.utf8)
            connection.write(head(status, ["Content-Type": "text/plain", "Content-Length": String(body.count)]) + body)
        case .headerFlood(let count):
            var text = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
            for index in 0..<count { text += "X-Flood-\(index): \(index)\r\n" }
            text += "Content-Length: 0\r\n\r\n"
            connection.write(Data(text.utf8))
        }
    }

    static func head(_ status: Int, _ fields: [String: String]) -> Data {
        var text = "HTTP/1.1 \(status) \(HTTPServer.reason(status))\r\nConnection: close\r\n"
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return Data((text + "\r\n").utf8)
    }
}
