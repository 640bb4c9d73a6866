import CurlKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A request as the loopback server read it off the socket.
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// The request-target as sent (`/list/id%40host/t.mbox.gz?x=1`).
    public var target: String
    public var headers: HTTPHeaders
    public var body: Data

    /// The target without the query, still percent-encoded.
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// The raw query string (after `?`), if any.
    public var query: String? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: mark)...])
    }

    /// Query parameters, form-decoded (`+` is a space).
    public var queryItems: [(name: String, value: String)] { Self.formDecode(query ?? "") }

    /// Body parameters of an `application/x-www-form-urlencoded` POST.
    public var formItems: [(name: String, value: String)] { Self.formDecode(String(decoding: body, as: UTF8.self)) }

    static func formDecode(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// What the loopback server answers.
public struct HTTPServerResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// Send the body with `Transfer-Encoding: chunked` instead of `Content-Length`.
    public var chunked: Bool
    /// Seconds to wait before answering (a slow server).
    public var delay: Double
    /// Close the connection after `delay` without sending anything (a dropped connection).
    public var dropsConnection: Bool

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(),
                chunked: Bool = false, delay: Double = 0, dropsConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.chunked = chunked
        self.delay = delay
        self.dropsConnection = dropsConnection
    }

    public static func text(_ text: String, status: Int = 200) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8))
    }

    public static func redirect(to location: String, status: Int = 301) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: ["Location": location], body: Data("moved\n".utf8))
    }

    public static let notFound = HTTPServerResponse.text("404 Not Found\n", status: 404)
}

/// Answers from a script, in order; the last answer repeats (`[500, 200]`: fail once).
public final class ResponseSequence: Sendable {
    private let state: Locked<[HTTPServerResponse]>

    public init(_ responses: [HTTPServerResponse]) {
        precondition(!responses.isEmpty, "a response sequence needs at least one response")
        state = Locked(responses)
    }

    public func next() -> HTTPServerResponse {
        state.withLock { responses in responses.count > 1 ? responses.removeFirst() : responses[0] }
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 with an ephemeral port. One thread accepts; each
/// connection gets a thread, one request, one answer, then `Connection: close`.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    public let port: UInt16
    private let listener: LoopbackListener
    private let log = Locked<[HTTPServerRequest]>([])

    /// Largest request head accepted (bytes); same order as common servers' 8-64 KB limits.
    static let maxHeadBytes = 65_536

    public init(handler: @escaping Handler) throws {
        let log = self.log
        listener = try LoopbackListener { connection in
            guard let request = HTTPServer.readRequest(connection) else { return }
            log.withLock { $0.append(request) }
            let response = handler(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            guard !response.dropsConnection else { return }
            connection.write(HTTPServer.encode(response, headOnly: request.method == "HEAD"))
        }
        port = listener.port
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [HTTPServerRequest] { log.withLock { $0 } }

    public func stop() { listener.stop() }

    deinit { listener.stop() }

    static func readRequest(_ connection: LoopbackConnection) -> HTTPServerRequest? {
        var buffer = Data()
        var headEnd: Range<Data.Index>?
        while headEnd == nil {
            guard buffer.count < maxHeadBytes, let chunk = connection.read() else { return nil }
            buffer.append(chunk)
            headEnd = buffer.range(of: Data("\r\n\r\n".utf8))
        }
        let head = String(decoding: buffer[..<headEnd!.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Data(buffer[headEnd!.upperBound...])
        if headers["Transfer-Encoding"]?.lowercased() == "chunked" {
            guard let decoded = readChunked(connection, initial: body) else { return nil }
            body = decoded
        } else {
            let length = Int(headers["Content-Length"] ?? "0") ?? 0
            while body.count < length {
                guard let chunk = connection.read() else { return nil }
                body.append(chunk)
            }
        }
        return HTTPServerRequest(method: String(requestLine[0]), target: String(requestLine[1]),
                                 headers: headers, body: body)
    }

    private static func readChunked(_ connection: LoopbackConnection, initial: Data) -> Data? {
        var raw = initial
        var body = Data()
        var cursor = raw.startIndex
        while true {
            while raw[cursor...].range(of: Data("\r\n".utf8)) == nil {
                guard let chunk = connection.read() else { return nil }
                raw.append(chunk)
            }
            let lineEnd = raw[cursor...].range(of: Data("\r\n".utf8))!
            let sizeText = String(decoding: raw[cursor..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { return nil }
            cursor = lineEnd.upperBound
            while raw.count - (cursor - raw.startIndex) < size + 2 {
                guard let chunk = connection.read() else { return nil }
                raw.append(chunk)
            }
            if size == 0 { return body }
            body.append(raw[cursor..<cursor + size])
            cursor += size + 2
        }
    }

    static func encode(_ response: HTTPServerResponse, headOnly: Bool) -> Data {
        var headers = response.headers
        headers.set("Connection", "close")
        if response.chunked {
            headers.set("Transfer-Encoding", "chunked")
        } else {
            headers.set("Content-Length", String(response.body.count))
        }
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        for field in headers { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n"
        var out = Data(head.utf8)
        guard !headOnly else { return out }
        if response.chunked {
            // Several chunks, so clients really reassemble them.
            let chunkSize = 4096
            var offset = 0
            while offset < response.body.count {
                let end = min(offset + chunkSize, response.body.count)
                out.append(Data(String(end - offset, radix: 16).utf8) + Data("\r\n".utf8))
                out.append(response.body[(response.body.startIndex + offset)..<(response.body.startIndex + end)])
                out.append(Data("\r\n".utf8))
                offset = end
            }
            out.append(Data("0\r\n\r\n".utf8))
        } else {
            out.append(response.body)
        }
        return out
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 529: "Overloaded"
        default: "Status"
        }
    }
}
