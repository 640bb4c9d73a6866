import Foundation

/// A request from outside a run to stop starting model calls (watch mode on SIGTERM). The
/// calls in flight finish and their answers go to the response cache; every task not yet
/// sent ends "not reviewed" with the reason given, so a later run of the same review
/// takes what was answered from the cache and asks only for the rest.
public final class RunStop: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var reason: String?

    public init() {}

    /// Asks the runs watching this to stop; the first reason given stays.
    public func request(_ reason: String) {
        lock.withLock { if self.reason == nil { self.reason = reason } }
    }

    /// Why the runs were asked to stop, or nil while they may go on.
    public var requested: String? { lock.withLock { reason } }
}
