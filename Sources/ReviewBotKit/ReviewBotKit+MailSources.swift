// The commands reach sources (fetch, drafts push) through ReviewBotKit, the one library the
// executable depends on.
@_exported import CurlKit
@_exported import MailSources
