import CCurl
import Foundation

extension CurlTransfer {
    /// Calls `observer` with every reply line the server sends (SMTP, IMAP: libcurl's
    /// CURLINFO_HEADER_IN), on the event-loop thread, the moment libcurl reads it. This is
    /// how a caller learns what happened before `curl_easy_perform` would tell: for SMTP,
    /// the 250 after DATA arrives before libcurl sends QUIT and waits for its answer.
    /// Only replies are passed on: the commands libcurl sends include AUTH's credentials.
    func observeReplies(_ observer: @escaping (String) -> Void) throws {
        replyLineObserver = observer
        try set(CURLOPT_VERBOSE, 1)  // the debug callback runs only in verbose mode; it replaces the stderr log
        try set(CURLOPT_DEBUGDATA, Unmanaged.passUnretained(self).toOpaque())
        let code = rb_easy_setopt_debug_callback(handle, CURLOPT_DEBUGFUNCTION) { _, type, data, size, context in
            guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline) { transfer.replyLineObserver?(String(line)) }
            return 0
        }
        guard code == CURLE_OK else {
            throw CurlError(.invalidRequest, "libcurl rejected the debug callback: \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
