import Foundation
import MboxParser

/// One comment to place in a reply, already anchored to a line of the patch.
public struct DraftComment: Sendable, Equatable {
    public enum Anchor: Sendable, Equatable {
        /// `patch.files[file].hunks[hunk].lines[line]`.
        case diff(file: Int, hunk: Int, line: Int)
        /// A line of the commit message, by its text.
        case commitMessage(String)
    }

    public var anchor: Anchor
    public var severity: String
    public var category: String
    public var text: String

    public init(anchor: Anchor, severity: String, category: String, text: String) {
        self.anchor = anchor
        self.severity = severity
        self.category = category
        self.text = text
    }
}

/// The patch mail a draft answers, as the reply needs it.
public struct OriginalMail: Sendable, Equatable {
    public var messageID: String
    public var subject: String
    public var references: [String]
    /// The real author: in-body From, else X-Original-From (relays), else From.
    public var author: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// The Date header as written, for the attribution line.
    public var date: String?

    public init(messageID: String, subject: String, references: [String], author: MailAddress,
                to: [MailAddress], cc: [MailAddress], date: String?) {
        self.messageID = messageID
        self.subject = subject
        self.references = references
        self.author = author
        self.to = to
        self.cc = cc
        self.date = date
    }
}

/// Everything needed to draft the reply to one patch.
public struct ReviewDraftInput: Sendable {
    public var mail: OriginalMail
    public var title: String
    public var body: String
    public var patch: Patch
    public var comments: [DraftComment]
    /// The commit id when the patch is already applied somewhere.
    public var commit: String?

    public init(mail: OriginalMail, title: String, body: String, patch: Patch,
                comments: [DraftComment], commit: String? = nil) {
        self.mail = mail
        self.title = title
        self.body = body
        self.patch = patch
        self.comments = comments
        self.commit = commit
    }
}

/// How drafts are signed and addressed; from the `[drafts]` configuration.
public struct DraftSettings: Sendable, Equatable {
    public var reviewer: MailAddress
    public var disclosure: String
    public var signature: String?
    public var ccOriginalRecipients: Bool

    public init(reviewer: MailAddress, disclosure: String, signature: String? = nil,
                ccOriginalRecipients: Bool = true) {
        self.reviewer = reviewer
        self.disclosure = disclosure
        self.signature = signature
        self.ccOriginalRecipients = ccOriginalRecipients
    }
}

/// The drafted reply to one patch: the review-inline text and the mail around it.
public struct ReviewDraft: Sendable, Equatable {
    /// review-inline.txt: commit, author, title, summary, link, quoted diff and comments.
    public var reviewInline: String
    /// The quoted diff with comments alone (the body of b4's agent review file).
    public var quotedReview: String
    /// One-line summary (b4's agent review file opens with it).
    public var summary: String
    /// The reply as an RFC 5322 message, CRLF-free, ready for `git send-email` or mutt.
    public var mail: String
    public var messageID: String
    /// Comments that could not be placed under a patch line (kept, listed at the top).
    public var unplaced: [DraftComment]
    /// What the user should know about this draft: recipients left out, no threading.
    public var notes: [String] = []
}
