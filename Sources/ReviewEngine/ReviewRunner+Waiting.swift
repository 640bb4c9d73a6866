import CurlKit
import Foundation

/// A pause the run makes on its own (rate-limit pacing, a retry's back-off), for the
/// user to see: the program says it is waiting and until when, instead of looking hung.
public struct ReviewWait: Sendable, Hashable, CustomStringConvertible {
    public var duration: Duration
    public var until: Date
    /// Why, in a few words; may quote a server's error, so it is shown made visible.
    public var reason: String

    /// Waits shorter than this are not announced: back-offs of a second or two are routine.
    public static let announcedFrom: Duration = .seconds(5)

    public var description: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = Calendar.current.isDate(until, inSameDayAs: Date()) ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss"
        let seconds = Int(duration.seconds.rounded(.up))
        return "waiting \(seconds)s, until \(formatter.string(from: until)), for \(TerminalText.visible(reason))"
    }
}

extension ReviewRunner {
    /// Sleeps for `duration`, telling `notice` first when the wait is long enough to notice.
    func pause(_ duration: Duration, for reason: String) async {
        guard duration > .zero else { return }
        if duration >= ReviewWait.announcedFrom, let notice {
            notice(ReviewWait(duration: duration, until: clock.now().addingTimeInterval(duration.seconds), reason: reason))
        }
        try? await clock.sleep(for: duration)
    }
}
