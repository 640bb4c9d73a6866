import CCurl
import Foundation

/// Owns one `CURL *` and every buffer libcurl points into while the transfer runs.
/// Configured on the caller's thread, then driven only by the event-loop thread.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// For error messages: the host (never the full URL, which may carry a query with tokens).
    let host: String
    let timeouts: TransferTimeouts

    private var slists: [UnsafeMutablePointer<curl_slist>] = []
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    private(set) var body = Data()
    private(set) var headers = HTTPHeaders()
    /// The most body bytes kept (after decoding); more ends the transfer while it runs.
    var maxBodyBytes = HTTPRequest.defaultMaxBodyBytes
    /// How a successful (2xx) body is decoded as it arrives.
    var decoding = HTTPRequest.BodyDecoding.none
    private var decoder: GzipStream?
    private var bodyStarted = false
    /// Why a callback ended the transfer (a size limit, undecodable data): the error to
    /// report instead of libcurl's generic "write error".
    private(set) var failure: CurlError?
    private var upload = Data()
    private var uploadOffset = 0
    /// Sees each protocol reply line as it arrives (event-loop thread); see CurlTransfer+Replies.
    var replyLineObserver: ((String) -> Void)?

    // Touched only under CurlMultiLoop's lock.
    var continuation: CheckedContinuation<CURLcode, Never>?
    var isCancelled = false

    init(url: String, timeouts: TransferTimeouts, tls: TLSOptions, userAgent: String) throws {
        CurlGlobal.ensureInitialised()
        guard let handle = curl_easy_init() else {
            throw CurlError(.invalidRequest, "libcurl could not create a transfer handle")
        }
        self.handle = handle
        self.host = CurlTransfer.host(of: url)
        self.timeouts = timeouts
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))

        try set(CURLOPT_URL, url)
        // Signals are not thread-safe to use for DNS timeouts in a multi-threaded process.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_USERAGENT, userAgent)
        if let connect = timeouts.connect { try set(CURLOPT_CONNECTTIMEOUT_MS, TransferTimeouts.milliseconds(connect)) }
        if let total = timeouts.total { try set(CURLOPT_TIMEOUT_MS, TransferTimeouts.milliseconds(total)) }
        if let bytes = timeouts.lowSpeedBytesPerSecond, let seconds = timeouts.lowSpeedSeconds {
            try set(CURLOPT_LOW_SPEED_LIMIT, max(0, bytes))
            try set(CURLOPT_LOW_SPEED_TIME, min(max(0, seconds), TransferTimeouts.maxMilliseconds / 1000))
        }
        if let caFile = tls.caFile { try set(CURLOPT_CAINFO, caFile) }
        if tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        // No CURLOPT_PROXY here on purpose: libcurl then honours http_proxy, https_proxy
        // and no_proxy from the environment.

        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_WRITEDATA, context)
        try check(rb_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { ptr, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let ptr, length > 0 else { return length }
            // Anything but `length` makes libcurl end the transfer with a write error.
            return transfer.takeBody(UnsafeRawBufferPointer(start: ptr, count: length)) ? length : 0
        }, CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_HEADERDATA, context)
        try check(rb_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { ptr, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let ptr else { return length }
            return transfer.takeHeaderLine(UnsafeRawBufferPointer(start: ptr, count: length)) ? length : 0
        }, CURLOPT_HEADERFUNCTION)
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in slists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    // MARK: options

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(rb_easy_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws {
        // libcurl copies string options (since 7.17), so a temporary C string is enough.
        try check(rb_easy_setopt_string(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer) throws {
        try check(rb_easy_setopt_pointer(handle, option, value), option)
    }

    /// A list option (headers, recipients); the list lives as long as the transfer.
    func set(_ option: CURLoption, list: [String]) throws {
        var head: UnsafeMutablePointer<curl_slist>?
        for item in list {
            guard let next = curl_slist_append(head, item) else {
                if let head { curl_slist_free_all(head) }
                throw CurlError(.invalidRequest, "out of memory building a libcurl list")
            }
            head = next
        }
        guard let head else { return }
        slists.append(head)
        try check(rb_easy_setopt_slist(handle, option, head), option)
    }

    /// Request body for POST-like methods, copied by libcurl (CURLOPT_COPYPOSTFIELDS).
    func setPostBody(_ data: Data) throws {
        try check(rb_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(data.count)),
                  CURLOPT_POSTFIELDSIZE_LARGE)
        var bytes = [UInt8](data)
        bytes.append(0)  // an empty body still needs a valid pointer
        try bytes.withUnsafeMutableBytes { raw in
            try set(CURLOPT_COPYPOSTFIELDS, raw.baseAddress!)
        }
    }

    /// Bytes to upload (SMTP DATA), read by libcurl through a callback.
    func setUpload(_ data: Data) throws {
        upload = data
        uploadOffset = 0
        try set(CURLOPT_UPLOAD, 1)
        try check(rb_easy_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(data.count)), CURLOPT_INFILESIZE_LARGE)
        try set(CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
        try check(rb_easy_setopt_read_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.readUpload(into: buffer, capacity: size * count)
        }, CURLOPT_READFUNCTION)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw CurlError(.invalidRequest,
                            "libcurl rejected option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    // MARK: results

    var responseCode: Int {
        var code = 0
        _ = rb_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    var effectiveURL: String {
        var url: UnsafeMutablePointer<CChar>?
        guard rb_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK, let url else { return "" }
        return String(cString: url)
    }

    var errorDetail: String { String(cString: errorBuffer) }

    /// The error for a failed transfer, naming the limit that was hit for timeouts.
    func error(for code: CURLcode) -> CurlError {
        if let failure { return failure }
        let detail = errorDetail
        let limit = detail.hasPrefix("Connection timed out") || detail.hasPrefix("Failed to connect")
            ? timeouts.connect : (timeouts.total ?? timeouts.connect)
        if code == CURLE_OPERATION_TIMEDOUT, detail.contains("too slow"),
           let seconds = timeouts.lowSpeedSeconds {
            return CurlError(.timedOut, "timed out: \(host) sent almost nothing for \(seconds)s")
        }
        return CurlError.transfer(code, detail: detail, host: host, timeoutSeconds: limit)
    }

    // MARK: callbacks (event-loop thread)

    /// False ends the transfer: too many header fields, or a body announced larger than
    /// the limit (no need to wait for the bytes to refuse them).
    private func takeHeaderLine(_ raw: UnsafeRawBufferPointer) -> Bool {
        // Byte-wise: "\r\n" is one Character in Swift, so String suffix checks miss it.
        var bytes = raw[...]
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response (redirect hop, 100 Continue): keep only the last one's fields
            // and body, decoded as that response's status says.
            headers = HTTPHeaders()
            body = Data()
            bodyStarted = false
            decoder = nil
        } else if let colon = line.firstIndex(of: ":") {
            guard headers.fields.count < HTTPHeaders.maxFields else {
                failure = CurlError(.tooLarge, "\(host) sent more than \(HTTPHeaders.maxFields) header fields")
                return false
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.caseInsensitiveEquals("content-length"), let announced = Int(value),
               announced > maxBodyBytes {
                failure = bodyTooLarge()
                return false
            }
            headers.add(name, value)
        }
        return true
    }

    /// Keeps (or decodes) body bytes as they arrive, within the limit.
    private func takeBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !bodyStarted {
            bodyStarted = true
            // Only a successful answer is the archive; an error page is kept as it is.
            if decoding == .gunzip, (200..<300).contains(responseCode) {
                do throws(CurlError) { decoder = try GzipStream(limit: maxBodyBytes) } catch {
                    failure = error
                    return false
                }
            }
        }
        if let decoder {
            do throws(CurlError) { try decoder.feed(bytes, into: &body) } catch {
                failure = error.kind == .tooLarge ? bodyTooLarge() : CurlError(.decompression, "\(host): \(error.message)")
                return false
            }
            return true
        }
        guard body.count + bytes.count <= maxBodyBytes else {
            failure = bodyTooLarge()
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// The decoder's last check once the transfer ended without error.
    func finishBody() throws(CurlError) {
        guard let decoder else { return }
        do throws(CurlError) { try decoder.finish() } catch { throw CurlError(.decompression, "\(host): \(error.message)") }
    }

    private func bodyTooLarge() -> CurlError {
        CurlError(.tooLarge, "the answer from \(host) is larger than \(maxBodyBytes) bytes\(decoding == .gunzip ? " uncompressed" : "")")
    }

    private func readUpload(into buffer: UnsafeMutablePointer<CChar>?, capacity: Int) -> Int {
        guard let buffer else { return 0 }
        let length = min(capacity, upload.count - uploadOffset)
        guard length > 0 else { return 0 }
        upload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + uploadOffset, byteCount: length)
        }
        uploadOffset += length
        return length
    }

    static func host(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // Drop user info: it may carry a user name the caller did not mean to print.
        return String(authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority)
    }
}

/// `curl_global_init` must run once, before any other libcurl call, and is not thread-safe:
/// a lazily initialised static gives exactly that (Swift runs it under `swift_once`).
enum CurlGlobal {
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static func ensureInitialised() {
        precondition(initialised, "curl_global_init failed")
    }
}
