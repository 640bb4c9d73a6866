import CurlKit
import Foundation

extension ReviewRunner {
    /// What the run keeps of an answer: the answer with the transport's secrets (the API
    /// key) removed from its body and headers. Called where an answer enters the run, so
    /// the raw text in a task failure, findings.json, report.md and the response cache
    /// all come from the cleaned copy, whatever the status.
    func keptAnswer(_ answer: HTTPAnswer) -> HTTPAnswer {
        transport.redactor.redact(answer)
    }

    /// A transport failure's message, cleaned the same way.
    func keptFailure(_ error: TransportError) -> TransportError {
        transport.redactor.redact(error)
    }
}
