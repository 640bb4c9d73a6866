import Foundation

/// Bounds on everything a stranger's text or a server's answer can make us hold, read or
/// show. Each says where its number comes from.
public enum FixEvidenceLimits {
    /// A bug's JSON from the dashboard: the real ones are a few kilobytes (one object per
    /// crash, links only); a megabyte leaves room for hundreds of crashes.
    public static let bugJSONBytes = 1 << 20
    /// One crash report text: syzbot's reports run 5-20 KB (a KASAN report with page
    /// owner stacks is the largest); 256 KB covers a console-length report.
    public static let reportBytes = 256 << 10
    /// Crash reports fetched per bug: the first crash is the one the title names; a second
    /// shows whether the stacks vary.
    public static let reportsPerBug = 2
    /// syzbot bugs followed per patch: a patch closing more than a few reports is rare.
    public static let bugsPerPatch = 3
    /// Frames kept per stack: the frames that matter (the access and the functions around
    /// it) are the first dozen or two; syscall entry and workqueue frames follow.
    public static let framesPerStack = 24
    /// Lockdep dependency-chain entries kept (`-> #N`): real splats show 2-8.
    public static let lockChains = 8
    /// Lines of a report the parser reads: every report seen on the dashboard is well under
    /// this; past it the parser stops rather than scanning a console log.
    public static let reportLines = 4_000
    /// One line of a report: kernel lines are at most 1,024 bytes (LOG_LINE_MAX).
    public static let reportLineBytes = 1_024
    /// The summary of one report given to the model, in bytes: about 1,500 tokens, so three
    /// stacks of 24 frames fit and a patch's cached context stays small.
    public static let summaryBytes = 6_000

    /// Functions of the report's stacks whose callers are looked up in the tree: each is a
    /// `git grep` over the tree; the access stack's top frames come first.
    public static let callerLookups = 16

    /// Earlier revisions whose threads are fetched: v1 to v4 of a series is plenty; older
    /// rounds' comments were answered or repeated in between.
    public static let earlierThreads = 4
    /// Review comments kept per patch, newest revision first.
    public static let commentsPerPatch = 12
    /// Lines of a reviewer's quoted context kept with a comment (the lines just above the
    /// reply are the ones it is about).
    public static let quotedLinesPerComment = 12
    /// Bytes of a reviewer's reply kept: list replies are short; a long one is cut and says so.
    public static let replyBytes = 2_000
    /// Replies read per thread: a busy v1 thread has tens; hundreds would be a flame war.
    public static let repliesPerThread = 400
    /// In-Reply-To hops from a reply up to its patch: review discussions nest a dozen deep
    /// at most; a longer chain (or a loop) is not followed further.
    public static let replyDepth = 64
    /// Lines of a cover letter and patch notes searched for links to earlier revisions.
    public static let linkSearchLines = 2_000

    /// One line of report text as we keep it (a headline, a lock, an access line).
    public static let reportTextBytes = 200
    /// A symbol in a stack frame: the longest kernel function names are under 80 bytes.
    public static let symbolBytes = 128
    /// A source path in a frame or link: Linux's longest path is 160 bytes.
    public static let pathBytes = 256
    /// A URL or dashboard link we follow or show.
    public static let linkBytes = 512
    /// A kernel release string (`6.15.0-rc5-syzkaller-00123-g2c89c1b655c0` is 40).
    public static let releaseBytes = 80
}
