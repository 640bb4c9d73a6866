import CurlKit
import Foundation
import LoopbackServers
import Testing

@Suite struct CurlClientTests {
    let client = CurlClient()

    @Test func sendsHeadersBodyAndReadsMultiValuedHeaders() async throws {
        let server = try HTTPServer { request in
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers.add("X-Echo", request.method)
            headers.add("x-echo", "\(request.body.count) bytes")
            return HTTPServerResponse(status: 201, headers: headers, body: Data("{\"ok\":true}".utf8), chunked: true)
        }
        defer { server.stop() }
        let body = Data("{\"q\":\"\u{0}bin\"}".utf8)
        let response = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/v1/messages",
                                                          headers: ["x-api-key": "k-123"], body: body))
        #expect(response.status == 201)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers.values("X-ECHO") == ["POST", "\(body.count) bytes"])
        #expect(response.body == Data("{\"ok\":true}".utf8))
        let seen = try #require(server.requests.first)
        #expect(seen.body == body)
        #expect(seen.headers["x-api-key"] == "k-123")
        #expect(seen.headers["User-Agent"] == "reviewbot/\(CurlClient.productVersion)")
        #expect(seen.headers["Expect"] == nil)
    }

    @Test func followsRedirectsAndReportsTheEffectiveURL() async throws {
        let server = try HTTPServer { request in
            request.path == "/a" ? .redirect(to: "/b", status: 302) : .text("at \(request.path)")
        }
        defer { server.stop() }
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/a"))
        #expect(response.status == 200)
        #expect(response.body == Data("at /b".utf8))
        #expect(response.effectiveURL == server.baseURL + "/b")
        let limited = try await client.send(HTTPRequest(url: server.baseURL + "/a", maxRedirects: 0))
        #expect(limited.status == 302)
        #expect(limited.headers["Location"] == "/b")
    }

    @Test func namesTheCauseOfTransportFailures() async throws {
        let refusedPort = try DovecotServer.freePort()
        await #expect {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(refusedPort)/"))
        } throws: { ($0 as? CurlError)?.description == "connection refused by 127.0.0.1:\(refusedPort)" }
        await #expect {
            try await client.send(HTTPRequest(url: "http://no-such-host.invalid/"))
        } throws: { ($0 as? CurlError)?.description == "could not resolve host no-such-host.invalid" }

        let silent = try SilentServer()
        defer { silent.stop() }
        let started = Date()
        await #expect {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(silent.port)/",
                                              timeouts: TransferTimeouts(connect: 1, total: 1)))
        } throws: { ($0 as? CurlError)?.description == "timed out after 1s waiting for 127.0.0.1:\(silent.port)" }
        #expect(Date().timeIntervalSince(started) < 25)  // the server never answers: only the timeout ends it
    }

    @Test func manyConcurrentSlowRequestsShareTheEventLoop() async throws {
        // Counted at the server, not timed: how many transfers were in flight at once.
        let inFlight = Locked((now: 0, most: 0))
        let server = try HTTPServer { _ in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            Thread.sleep(forTimeInterval: 0.3)
            inFlight.withLock { $0.now -= 1 }
            return HTTPServerResponse(body: Data("ok".utf8))
        }
        defer { server.stop() }
        let client = self.client
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 { group.addTask { try await client.send(HTTPRequest(url: server.baseURL + "/")).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 32))
        // One curl_multi thread drives them all, so they overlap instead of queueing.
        #expect(inFlight.withLock { $0.most } >= 8)
    }

    @Test func cancellingATaskAbortsItsTransfer() async throws {
        let server = try HTTPServer { _ in HTTPServerResponse(delay: 60) }
        defer { server.stop() }
        let client = self.client
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/")) }
        try await Task.sleep(nanoseconds: 200_000_000)
        let started = Date()
        task.cancel()
        await #expect(throws: CurlError.self) { try await task.value }
        #expect(Date().timeIntervalSince(started) < 25)  // the answer would take 60 s
    }

    @Test func gzipRoundTripAndMultiMember() throws {
        let text = Data(String(repeating: "From mboxrd@z line\n", count: 5000).utf8)
        let gz = try Gzip.compress(text)
        #expect(gz.count < text.count / 10)
        #expect(try Gzip.decompress(gz) == text)
        #expect(try Gzip.decompress(gz + (try Gzip.compress(Data("tail\n".utf8)))) == text + Data("tail\n".utf8))
        #expect(throws: CurlError.self) { try Gzip.decompress(Data("plain".utf8)) }
        #expect(throws: CurlError.self) { try Gzip.decompress(gz.prefix(gz.count / 2)) }
    }

    @Test func lineEndings() {
        #expect(LineEndings.crlf(Data("a\nb\r\nc".utf8)) == Data("a\r\nb\r\nc".utf8))
        #expect(LineEndings.lf(Data("a\r\nb\rc\r\n".utf8)) == Data("a\nb\rc\n".utf8))
    }
}
