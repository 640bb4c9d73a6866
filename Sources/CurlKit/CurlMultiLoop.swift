import CCurl
import Foundation

/// One thread running a `curl_multi` handle: every transfer of a `CurlClient` is driven
/// here, so blocking libcurl work never runs on Swift's cooperative pool. Callers await a
/// continuation that the loop resumes when libcurl reports the transfer done.
final class CurlMultiLoop: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    // Guarded by `lock`.
    private var pending: [CurlTransfer] = []
    private var cancelled: [CurlTransfer] = []
    private var stopping = false
    // Loop thread only.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// How long one curl_multi_poll may sleep when nothing wakes it (ms); libcurl's own
    /// timers shorten it, curl_multi_wakeup ends it at once.
    private static let pollMilliseconds: Int32 = 1000

    init() {
        CurlGlobal.ensureInitialised()
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        let thread = Thread { [self] in runLoop() }
        thread.name = "curl-multi"
        thread.start()
    }

    /// Runs `transfer` to completion and returns libcurl's result code.
    func perform(_ transfer: CurlTransfer) async -> CURLcode {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CURLcode, Never>) in
                lock.withLock {
                    transfer.continuation = continuation
                    pending.append(transfer)
                }
                curl_multi_wakeup(multi)
            }
        } onCancel: {
            lock.withLock {
                transfer.isCancelled = true
                cancelled.append(transfer)
            }
            curl_multi_wakeup(multi)
        }
    }

    /// Lets the thread end once in-flight transfers are done.
    func stop() {
        lock.withLock { stopping = true }
        curl_multi_wakeup(multi)
    }

    private func runLoop() {
        while true {
            let (added, aborted, stop) = lock.withLock { () -> ([CurlTransfer], [CurlTransfer], Bool) in
                defer { pending.removeAll(); cancelled.removeAll() }
                return (pending, cancelled, stopping)
            }
            for transfer in added {
                if lock.withLock({ transfer.isCancelled }) {
                    finish(transfer, CURLE_ABORTED_BY_CALLBACK)
                    continue
                }
                let code = curl_multi_add_handle(multi, transfer.handle)
                if code == CURLM_OK {
                    running[transfer.handle] = transfer
                } else {
                    finish(transfer, CURLE_FAILED_INIT)
                }
            }
            for transfer in aborted where running[transfer.handle] != nil {
                curl_multi_remove_handle(multi, transfer.handle)
                running[transfer.handle] = nil
                finish(transfer, CURLE_ABORTED_BY_CALLBACK)
            }
            if stop && running.isEmpty { break }

            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let transfer = running.removeValue(forKey: easy) else { continue }
                let result = rb_msg_result(message)
                curl_multi_remove_handle(multi, easy)
                finish(transfer, result)
            }
            curl_multi_poll(multi, nil, 0, Self.pollMilliseconds, nil)
        }
        curl_multi_cleanup(multi)
    }

    private func finish(_ transfer: CurlTransfer, _ code: CURLcode) {
        let continuation = lock.withLock { () -> CheckedContinuation<CURLcode, Never>? in
            defer { transfer.continuation = nil }
            return transfer.continuation
        }
        continuation?.resume(returning: code)
    }
}
