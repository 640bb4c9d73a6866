import Foundation

/// A line-by-line reader of kernel crash reports. No recursion, no regular expressions over
/// the whole text: every line is looked at once, and the reader stops at
/// `FixEvidenceLimits.reportLines`.
struct SyzbotReportParser {
    private var headline: String?
    private var crashClass = CrashClass.other
    private var accessDetail: String?
    private var kernelVersion: String?
    private var stacks: [ReportStack] = []
    private var lockNotes: [String] = []
    private var faultingFrame: StackFrame?
    private var truncated = false
    /// The stack frames are being added to, if any.
    private var open: ReportStack?
    /// A KASAN or KMSAN headline's stack follows it directly, without `Call Trace:`.
    private var expectingHeadlineStack = false
    /// Set after KASAN's epilogue: the page-owner stacks that follow are not the bug's.
    private var pastEpilogue = false
    /// A lock line (`is trying to acquire lock:`) waits for the line naming the lock.
    private var pendingLockNote: String?

    mutating func parse(_ text: String) -> SyzbotReport {
        var count = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            count += 1
            if count > FixEvidenceLimits.reportLines {
                truncated = true
                break
            }
            var line = Self.strippingTimestamp(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            if line.utf8.count > FixEvidenceLimits.reportLineBytes {
                line = Substring(String(decoding: line.utf8.prefix(FixEvidenceLimits.reportLineBytes), as: UTF8.self))
            }
            read(line)
        }
        close()
        return SyzbotReport(headline: headline ?? "", crashClass: crashClass, accessDetail: accessDetail,
                            kernelVersion: kernelVersion, stacks: stacks, lockNotes: lockNotes,
                            faultingFrame: faultingFrame, truncated: truncated)
    }

    private mutating func read(_ line: Substring) {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if open != nil {
            if trimmed.isEmpty || trimmed.hasPrefix("</TASK>") || trimmed.hasPrefix("</IRQ>") && open?.frames.isEmpty == false {
                if trimmed.isEmpty || trimmed.hasPrefix("</TASK>") { close() }
                return
            }
            if trimmed.hasPrefix("<TASK>") || trimmed.hasPrefix("<IRQ>") || trimmed.hasPrefix("</IRQ>")
                || trimmed.hasPrefix("? ") {
                return
            }
            if let frame = StackFrame.parse(line) {
                append(frame)
                return
            }
            close()
        }
        if let pending = pendingLockNote, !trimmed.isEmpty {
            lockNotes.append(pending + " " + Self.lockName(trimmed))
            pendingLockNote = nil
            return
        }
        if expectingHeadlineStack, let frame = StackFrame.parse(line) {
            openStack(.access, label: "Access")
            append(frame)
            expectingHeadlineStack = false
            return
        }
        readHeader(line, trimmed)
    }

    private mutating func readHeader(_ line: Substring, _ trimmed: Substring) {
        if headline == nil || isUpgrade(trimmed), let found = Self.classify(trimmed) {
            headline = Self.strippingOffsets(trimmed)
            crashClass = found
            expectingHeadlineStack = found == .kmsanUninitValue || found == .kmsanInfoLeak
            return
        }
        if kernelVersion == nil, let version = Self.kernelVersion(trimmed) {
            kernelVersion = version
            return
        }
        if accessDetail == nil, Self.isAccessLine(trimmed) {
            accessDetail = Self.shortened(trimmed)
            return
        }
        if trimmed.hasPrefix("RIP: "), stacks.isEmpty, let colon = trimmed.dropFirst(5).firstIndex(of: ":") {
            // A WARNING prints the inlined frames first, then the function they are in.
            if faultingFrame == nil || faultingFrame!.isInline,
               let frame = StackFrame.parse(trimmed[trimmed.index(after: colon)...]) {
                faultingFrame = frame
            }
            return
        }
        if trimmed.hasPrefix("The buggy address belongs to") || trimmed.hasPrefix("Memory state around the buggy address") {
            pastEpilogue = true
            return
        }
        guard !pastEpilogue else { return }
        if trimmed.hasPrefix("Call Trace:") {
            // The first call trace is the bug's; lockdep prints its own after `stack backtrace:`.
            if stacks(.access).isEmpty { openStack(.access, label: "Call trace") }
        } else if trimmed.hasPrefix("Allocated by task") {
            openStack(.allocation, label: Self.label(trimmed))
        } else if trimmed.hasPrefix("Freed by task") {
            openStack(.free, label: Self.label(trimmed))
        } else if trimmed.hasPrefix("Uninit was created at") || trimmed.hasPrefix("Uninit was stored to memory at")
                    || trimmed.hasPrefix("Local variable") && trimmed.hasSuffix("created at:") {
            openStack(.origin, label: Self.label(trimmed))
        } else if trimmed.hasPrefix("-> #") {
            guard stacks(.lockChain).count < FixEvidenceLimits.lockChains else { return }
            openStack(.lockChain, label: Self.lockChainLabel(trimmed))
        } else if trimmed.hasPrefix("backtrace"), trimmed.hasSuffix(":") {
            openStack(.leakAllocation, label: "Allocated at")
        } else if trimmed.hasSuffix("is trying to acquire lock:") || trimmed.hasPrefix("but task is already holding lock:") {
            pendingLockNote = trimmed.hasPrefix("but") ? "already held:" : "being taken:"
        } else if trimmed.hasPrefix("Chain exists of:") {
            pendingLockNote = "chain:"
        }
    }

    private func stacks(_ role: ReportStack.Role) -> [ReportStack] { stacks.filter { $0.role == role } }

    /// A later headline that names the bug better: KASAN and WARNING print one line per
    /// inlined frame (`BUG: KASAN: ... in instrument_atomic_read_write ... [inline]`), then
    /// the function they were inlined into.
    private func isUpgrade(_ line: Substring) -> Bool {
        guard let headline, headline.hasSuffix("[inline]"), stacks.isEmpty, open == nil else { return false }
        return Self.classify(line) == crashClass
    }

    private mutating func openStack(_ role: ReportStack.Role, label: String) {
        close()
        open = ReportStack(role: role, label: label)
    }

    private mutating func append(_ frame: StackFrame) {
        if open!.frames.count < FixEvidenceLimits.framesPerStack {
            open!.frames.append(frame)
        } else {
            open!.omittedFrames += 1
        }
    }

    private mutating func close() {
        guard let stack = open else { return }
        open = nil
        if !stack.frames.isEmpty { stacks.append(stack) }
    }

    // MARK: line shapes

    /// The class a headline line names, or nil when the line is not a headline.
    static func classify(_ line: Substring) -> CrashClass? {
        if line.hasPrefix("BUG: KASAN: ") {
            let kind = line.dropFirst("BUG: KASAN: ".count).prefix { $0 != " " }
            if kind.contains("use-after-free") { return .kasanUseAfterFree }
            if kind.contains("out-of-bounds") { return .kasanOutOfBounds }
            if kind.contains("free") { return .kasanInvalidFree }
            if kind.contains("null-ptr-deref") { return .nullDereference }
            return .kasanOther
        }
        if line.hasPrefix("BUG: KMSAN: uninit-value") { return .kmsanUninitValue }
        if line.hasPrefix("BUG: KMSAN: kernel-infoleak") { return .kmsanInfoLeak }
        if line.hasPrefix("BUG: KCSAN: ") { return .kcsanDataRace }
        if line.hasPrefix("UBSAN: ") { return .ubsan }
        if line.hasPrefix("WARNING: possible circular locking dependency") || line.hasPrefix("WARNING: possible recursive locking")
            || line.hasPrefix("WARNING: possible irq lock inversion") || line.hasPrefix("WARNING: inconsistent lock state") {
            return .lockdepDeadlock
        }
        if line.hasPrefix("WARNING: bad unlock balance") || line.hasPrefix("WARNING: suspicious RCU usage")
            || line.hasPrefix("WARNING: lock held when returning to user space") || line.hasPrefix("WARNING: held lock freed") {
            return .lockdepOther
        }
        if line.hasPrefix("WARNING: ") || line.hasPrefix("WARNING in ") { return .warning }
        if line.hasPrefix("BUG: memory leak") { return .memoryLeak }
        if line.hasPrefix("INFO: task "), line.contains("blocked for more than") { return .hungTask }
        if line.hasPrefix("INFO: task hung") { return .hungTask }
        if line.hasPrefix("BUG: kernel NULL pointer dereference") { return .nullDereference }
        if line.hasPrefix("general protection fault") || line.hasPrefix("Oops: general protection fault") {
            return .generalProtectionFault
        }
        if line.hasPrefix("BUG: ") || line.hasPrefix("kernel BUG at ") || line.hasPrefix("Oops: ") { return .bug }
        return nil
    }

    /// `Write of size 4 at addr ...`, `Read of size 8 ...`: KASAN's access line.
    static func isAccessLine(_ line: Substring) -> Bool {
        (line.hasPrefix("Read of size ") || line.hasPrefix("Write of size ")) && line.contains(" at addr ")
    }

    /// The release from `CPU: 0 PID: 1 Comm: x Not tainted 6.10.0-rc6-syzkaller-... #0` or
    /// lockdep's `6.10.0-rc6-syzkaller-... #0 Not tainted`; nil when the line names none
    /// (newer reports print `Not tainted syzkaller #0`).
    static func kernelVersion(_ line: Substring) -> String? {
        let words = line.split(separator: " ")
        var candidate: Substring?
        let startsTaintLine = line.hasPrefix("CPU: ") || line.hasPrefix("Not tainted ") || line.hasPrefix("Tainted: ")
        if startsTaintLine, let index = words.firstIndex(where: { $0 == "tainted" || $0.hasPrefix("Tainted:") }) {
            // After `Not tainted`, or after `Tainted: G  W` and its flag letters.
            var next = words.index(after: index)
            while next < words.endIndex, words[next].allSatisfy({ $0.isUppercase || $0 == "[" || $0 == "]" || $0 == "=" }) {
                next += 1
            }
            candidate = next < words.endIndex ? words[next] : nil
        } else if words.count >= 3, words[1].hasPrefix("#"), line.contains("tainted") || line.contains("Tainted") {
            candidate = words[0]
        }
        guard let candidate, candidate.first?.isNumber == true, candidate.contains("."), candidate.utf8.count <= FixEvidenceLimits.releaseBytes else {
            return nil
        }
        return String(candidate)
    }

    /// `Freed by task 67:` -> `Freed by task 67`; `Allocated by task 5 on cpu 1 at 9.1s:` -> `Allocated by task 5`.
    static func label(_ line: Substring) -> String {
        var text = line.hasSuffix(":") ? line.dropLast() : line
        if let on = text.range(of: " on cpu ") { text = text[..<on.lowerBound] }
        return shortened(text)
    }

    /// `-> #1 (sk_lock-AF_INET6){+.+.}-{0:0}:` -> `-> #1 (sk_lock-AF_INET6)`.
    static func lockChainLabel(_ line: Substring) -> String {
        guard let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") else {
            return shortened(line.hasSuffix(":") ? line.dropLast() : line)
        }
        return shortened(line[..<line.index(after: close)])
    }

    /// `ffff88805f784c50 (&smc->clcsock_release_lock){+.+.}-{3:3}, at: smc_setsockopt+0x1c3/0xe50 net/smc/af_smc.c:3064`
    /// -> `&smc->clcsock_release_lock at smc_setsockopt (net/smc/af_smc.c:3064)`.
    static func lockName(_ line: Substring) -> String {
        guard let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") else {
            return shortened(line)
        }
        var text = String(line[line.index(after: open)..<close])
        if let at = line.range(of: ", at: "), let frame = StackFrame.parse(line[at.upperBound...]) {
            text += " at " + frame.description
        }
        return shortened(Substring(text))
    }

    /// `BUG: KASAN: slab-use-after-free in recv_work+0x694/0xa80 drivers/block/nbd.c:1022`
    /// -> `BUG: KASAN: slab-use-after-free in recv_work (drivers/block/nbd.c:1022)`.
    static func strippingOffsets(_ line: Substring) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        var out: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if let plus = word.firstIndex(of: "+"), StackFrame.isOffset(word[word.index(after: plus)...]) {
                var frame = String(word[..<plus])
                if index + 1 < words.count, StackFrame.isLocation(words[index + 1]) {
                    frame += " (\(words[index + 1]))"
                    index += 1
                }
                out.append(frame)
            } else {
                out.append(String(word))
            }
            index += 1
        }
        return shortened(Substring(out.joined(separator: " ")))
    }

    /// Report text as we show it: one line of at most `reportTextBytes`, control and
    /// format characters dropped.
    static func shortened(_ text: Substring) -> String {
        UntrustedText.oneLine(String(text))
    }

    /// `[  767.762099] text` -> `text`: reports pasted from a console carry printk times.
    static func strippingTimestamp(_ line: Substring) -> Substring {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return line }
        let inside = line[line.index(after: line.startIndex)..<close].drop { $0 == " " }
        guard !inside.isEmpty, inside.allSatisfy({ $0.isNumber || $0 == "." }), inside.contains(".") else { return line }
        let rest = line[line.index(after: close)...]
        return rest.hasPrefix(" ") ? rest.dropFirst() : rest
    }
}
