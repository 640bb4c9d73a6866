/// Bounds on hostile or broken input. A message that crosses one is reported as an error
/// for that message (file, number, reason) and reading goes on with the next one.
///
/// Every default names where the number comes from, so a maintainer can judge whether a
/// real mail could ever hit it.
public struct ParserLimits: Sendable, Hashable {
    /// Largest header block (all header lines of the message or of one MIME part).
    public var maxHeaderBytes: Int
    /// Most header fields in one header block.
    public var maxHeaderCount: Int
    /// Deepest nesting of multipart bodies.
    public var maxMIMEDepth: Int
    /// Most MIME parts in one message, containers included.
    public var maxMIMEParts: Int
    /// The longest line we keep: a header line (an unfolded field counts as one line), or
    /// the unfinished line the mbox reader holds while it skips an oversized message (a
    /// longer one cannot be a `From ` separator, so it is dropped as it arrives).
    public var maxLineBytes: Int
    /// Largest message, headers and body together.
    public var maxMessageBytes: Int

    public init(maxHeaderBytes: Int = ParserLimits.defaultMaxHeaderBytes,
                maxHeaderCount: Int = ParserLimits.defaultMaxHeaderCount,
                maxMIMEDepth: Int = ParserLimits.defaultMaxMIMEDepth,
                maxMIMEParts: Int = ParserLimits.defaultMaxMIMEParts,
                maxLineBytes: Int = ParserLimits.defaultMaxLineBytes,
                maxMessageBytes: Int = ParserLimits.defaultMaxMessageBytes) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxMIMEDepth = maxMIMEDepth
        self.maxMIMEParts = maxMIMEParts
        self.maxLineBytes = maxLineBytes
        self.maxMessageBytes = maxMessageBytes
    }

    /// The limits used unless a caller asks for others.
    public static let `default` = ParserLimits()

    /// Same as postfix `header_size_limit` (102400), which public-inbox also uses.
    public static let defaultMaxHeaderBytes = 102_400
    /// Same as Go's mime/multipart `maxMIMEHeaders` (10000), added for CVE-2023-24536.
    public static let defaultMaxHeaderCount = 10_000
    /// Same as Dovecot's `MESSAGE_PARSER_DEFAULT_MAX_NESTED_MIME_PARTS` (100) and postfix
    /// `mime_nesting_limit` (100).
    public static let defaultMaxMIMEDepth = 100
    /// Same as Dovecot's `MESSAGE_PARSER_DEFAULT_MAX_TOTAL_MIME_PARTS` (10000).
    public static let defaultMaxMIMEParts = 10_000
    /// RFC 5321 section 4.5.3.1.6 allows 1000 octets per line; real list mail breaks that
    /// (long `Received:` and DKIM lines are folded, but encoded subjects and References are
    /// not always), so allow a thousand times as much before calling a header hostile.
    public static let defaultMaxLineBytes = 1_000_000
    /// Same as postfix `message_size_limit` (10240000); vger.kernel.org rejects far smaller.
    public static let defaultMaxMessageBytes = 10_240_000
}
