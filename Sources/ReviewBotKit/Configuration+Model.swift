import CurlKit
import Foundation
import ReviewEngine

extension Configuration {
    /// The environment variable holding the API key (the convention of Anthropic's tools).
    public static let apiKeyVariable = "ANTHROPIC_API_KEY"

    /// The Messages API transport, or nil when no key is set (a dry run then). The key is
    /// read from the environment only, never from argv or the config file.
    public func messagesTransport(environment: [String: String]) throws -> CurlMessagesTransport? {
        guard let key = environment[Self.apiKeyVariable], !key.isEmpty else { return nil }
        if let insecure = insecureBaseURLProblem(environment: environment) {
            throw ReviewBotError("refusing to send the API key in clear: \(insecure)")
        }
        guard let style = APIAuthStyle(rawValue: model.auth) else {
            throw ReviewBotError("model.auth must be 'x-api-key' or 'bearer', not '\(model.auth)'")
        }
        return CurlMessagesTransport(client: CurlClient(), baseURL: model.baseURL, apiKey: key, authStyle: style)
    }
}
