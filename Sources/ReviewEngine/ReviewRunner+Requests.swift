import Crypto
import Foundation

/// The result of one request after retries of transient failures.
enum RequestResult: Sendable {
    case answer(MessagesAPI.Response, body: Data, requestHash: String, fromCache: Bool)
    /// A 200 whose body is not a Messages API response: worth one more try.
    case malformed(TaskFailure)
    case failed(TaskFailure)
    /// The budget refused the request.
    case stopped
}

/// The result of asking the model one question through a forced tool call.
enum AskResult<Value: Sendable>: Sendable {
    case value(Value, fromCache: Bool)
    case failed(TaskFailure)
    case stopped
}

extension ReviewRunner {
    /// Sends one request: from the response cache when it has the answer, else paced by the
    /// rate-limit headers, admitted by the budget, and retried as `RetryPolicy` decides.
    func execute(_ request: MessagesAPI.Request, patchIndex: Int, ledger: RunLedger) async -> RequestResult {
        let body: Data
        do { body = try request.encoded() } catch { return .failed(TaskFailure(reason: "\(error)")) }
        let hash = configuration.cacheSalt.map { SHA256.hex(of: body + Data("\u{0}\($0)".utf8)) } ?? SHA256.hex(of: body)
        if let store, configuration.readCache {
            do {
                if let cached = try store.cachedResponse(requestHash: hash),
                   let response = try? JSONDecoder().decode(MessagesAPI.Response.self, from: cached) {
                    await ledger.countCacheHit()
                    return .answer(response, body: cached, requestHash: hash, fromCache: true)
                }
            } catch {
                await ledger.warn("\(error)")
            }
        }
        let inputTokens = TokenEstimate.tokens(forBytes: body.count)
        guard await ledger.admit(TokenUsage(input: inputTokens)) else { return .stopped }

        var attempt = 0
        while true {
            attempt += 1
            let pause = await ledger.reserve(now: clock.now(), inputTokens: inputTokens)
            await self.pause(pause, for: "the API's rate limit to reset")
            // A refused key, a dead API or a stop request seen while this request waited
            // stops it too.
            if await ledger.failure != nil || ledger.stop?.requested != nil { return .stopped }
            await ledger.countCall()
            let failure: AttemptFailure
            do {
                let answer = keptAnswer(try await transport.send(body: body, timeout: configuration.requestTimeout))
                await ledger.observe(headers: answer.headers)
                if answer.status == 401 || answer.status == 403 {
                    let failure = AttemptFailure(answer: answer).description
                    await ledger.rejectCredentials(failure)
                    return .failed(TaskFailure(reason: failure))
                }
                if answer.status == 200 {
                    guard let response = try? JSONDecoder().decode(MessagesAPI.Response.self, from: answer.body) else {
                        return .malformed(TaskFailure(reason: "the answer is not a Messages API response",
                                                      rawAnswer: String(decoding: answer.body, as: UTF8.self)))
                    }
                    await ledger.record(TokenUsage(response.usage), patchIndex: patchIndex)
                    return .answer(response, body: answer.body, requestHash: hash, fromCache: false)
                }
                failure = AttemptFailure(answer: answer)
            } catch let error as TransportError {
                failure = .transport(keptFailure(error))
            } catch {
                failure = .transport(keptFailure(TransportError(kind: .other, message: "\(error)")))
            }
            switch configuration.retry.decide(failure, attempt: attempt, jitter: jitter()) {
            case .retry(let delay):
                await self.pause(delay, for: "attempt \(attempt + 1) after \(failure)")
            case .giveUp(let reason):
                if case .transport = failure { await ledger.giveUpUnanswered(reason) }
                return .failed(TaskFailure(reason: reason))
            }
        }
    }
}
