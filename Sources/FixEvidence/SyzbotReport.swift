import Foundation

/// What kind of crash a report shows, as syzbot classifies titles.
public enum CrashClass: String, Sendable, Hashable, Codable, CaseIterable {
    case kasanUseAfterFree = "KASAN use-after-free"
    case kasanOutOfBounds = "KASAN out-of-bounds"
    case kasanInvalidFree = "KASAN double or invalid free"
    case kasanOther = "KASAN report"
    case kmsanUninitValue = "KMSAN uninit-value"
    case kmsanInfoLeak = "KMSAN kernel-infoleak"
    case kcsanDataRace = "KCSAN data race"
    case ubsan = "UBSAN"
    case lockdepDeadlock = "lockdep possible deadlock"
    case lockdepOther = "lockdep report"
    case warning = "WARNING"
    case generalProtectionFault = "general protection fault"
    case nullDereference = "NULL pointer dereference"
    case memoryLeak = "memory leak"
    case hungTask = "hung task"
    case bug = "BUG"
    case other = "other"
}

/// A named stack of a report: the access (or call trace), the allocation and free of a
/// KASAN report, the origin of a KMSAN value, one link of a lockdep chain.
public struct ReportStack: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        /// The stack of the bad access or the warning: the report's `Call Trace:`.
        case access
        case allocation
        case free
        /// KMSAN: where the uninitialised value was created or stored.
        case origin
        /// Lockdep: how one lock came to depend on the next (`-> #N`).
        case lockChain
        /// kmemleak: where the leaked object was allocated.
        case leakAllocation
    }

    public var role: Role
    /// The header as the report wrote it, shortened: `Freed by task 67`, `-> #1 (sk_lock-AF_INET6)`.
    public var label: String
    public var frames: [StackFrame]
    /// Frames past `FixEvidenceLimits.framesPerStack`, left out.
    public var omittedFrames: Int

    public init(role: Role, label: String, frames: [StackFrame] = [], omittedFrames: Int = 0) {
        self.role = role
        self.label = label
        self.frames = frames
        self.omittedFrames = omittedFrames
    }
}

/// One crash report of a syzbot bug, read from its text: what a reviewer checks a fix
/// against. Everything is bounded (`FixEvidenceLimits`); text from the report is data.
public struct SyzbotReport: Sendable, Hashable, Codable {
    /// The report's first line of substance (`BUG: KASAN: slab-use-after-free in recv_work`),
    /// offsets stripped.
    public var headline: String
    public var crashClass: CrashClass
    /// `Write of size 4 at addr ffff8880295de478 by task kworker/u33:0/67`, shortened.
    public var accessDetail: String?
    /// `6.15.0-rc5-syzkaller-00123-g2c89c1b655c0` from the `CPU: ... Not tainted` line.
    public var kernelVersion: String?
    /// The stacks in report order.
    public var stacks: [ReportStack]
    /// Lockdep's lock lines: the lock being taken and the one held, and `Chain exists of:`.
    public var lockNotes: [String]
    /// `RIP: 0010:mpls_gso_segment (net/mpls/mpls_gso.c:34)`: where a WARNING or fault hit.
    public var faultingFrame: StackFrame?
    /// The parser stopped at a limit; what it kept is still right.
    public var truncated: Bool

    public init(headline: String, crashClass: CrashClass, accessDetail: String? = nil, kernelVersion: String? = nil,
                stacks: [ReportStack] = [], lockNotes: [String] = [], faultingFrame: StackFrame? = nil,
                truncated: Bool = false) {
        self.headline = headline
        self.crashClass = crashClass
        self.accessDetail = accessDetail
        self.kernelVersion = kernelVersion
        self.stacks = stacks
        self.lockNotes = lockNotes
        self.faultingFrame = faultingFrame
        self.truncated = truncated
    }

    /// The stacks with one role.
    public func stacks(_ role: ReportStack.Role) -> [ReportStack] { stacks.filter { $0.role == role } }

    /// Every function on the report's stacks, in order of first appearance, without the
    /// report machinery (KASAN, lockdep and stack-dumping helpers, syscall and workqueue
    /// entry) that sits on every stack and says nothing about the bug.
    public var functions: [String] {
        var seen = Set<String>()
        var result: [String] = []
        let frames = (faultingFrame.map { [$0] } ?? []) + stacks.flatMap(\.frames)
        for frame in frames where !Self.isMachinery(frame) {
            if seen.insert(frame.function).inserted { result.append(frame.function) }
        }
        return result
    }

    /// Frames that appear in reports whatever the bug: the sanitizer's own, the unwinder's,
    /// allocation and locking primitives, and the entry code under every syscall or work item.
    static func isMachinery(_ frame: StackFrame) -> Bool {
        let name = frame.function
        if let file = frame.file {
            for prefix in ["mm/kasan/", "mm/kmsan/", "kernel/kcsan/", "lib/dump_stack", "kernel/locking/lockdep",
                           "arch/x86/entry/", "kernel/entry/", "lib/stackdepot", "mm/kmemleak", "mm/page_owner",
                           "include/linux/instrumented.h", "include/linux/atomic/", "kernel/panic.c",
                           "mm/slub.c", "mm/slab_common.c", "mm/page_alloc.c", "kernel/kthread.c",
                           "arch/x86/kernel/process", "kernel/workqueue.c", "kernel/locking/mutex.c",
                           "kernel/locking/spinlock.c", "kernel/locking/rwsem.c", "kernel/hung_task.c",
                           "kernel/task_work.c"] where file.hasPrefix(prefix) {
                return true
            }
        }
        let exact: Set<String> = [
            "dump_stack", "dump_stack_lvl", "__dump_stack", "show_stack", "print_report", "kasan_report",
            "print_address_description", "kmsan_report", "check_noncircular", "print_circular_bug",
            "lock_acquire", "__lock_acquire", "lock_release", "validate_chain", "check_prevs_add", "check_prev_add",
            "do_syscall_64", "do_syscall_x64", "entry_SYSCALL_64_after_hwframe", "ret_from_fork", "ret_from_fork_asm",
            "kthread", "worker_thread", "process_one_work", "process_scheduled_works", "__warn", "warn_slowpath_fmt",
            "report_bug", "handle_bug", "exc_invalid_op", "asm_exc_invalid_op", "kfree", "kmalloc", "kzalloc",
            "kmem_cache_alloc", "kmem_cache_free", "__kmalloc", "__kmalloc_noprof", "kmalloc_noprof",
            "kzalloc_noprof", "kmalloc_trace", "kmalloc_trace_noprof", "__kmalloc_node_noprof",
            "kmalloc_node_noprof", "mutex_lock", "mutex_lock_nested", "__mutex_lock", "__mutex_lock_common",
            "_raw_spin_lock", "_raw_spin_lock_irqsave", "_raw_spin_lock_bh", "down_read", "down_write",
        ]
        return exact.contains(name) || name.hasPrefix("kasan_") || name.hasPrefix("__kasan_")
            || name.hasPrefix("kmsan_") || name.hasPrefix("__x64_sys_") || name.hasPrefix("__se_sys_")
            || name.hasPrefix("__do_sys_") || name.hasPrefix("__ia32_sys_") || name.hasPrefix("asm_")
    }

    /// Parses a crash report as the dashboard serves it (`/text?tag=CrashReport`) or as a
    /// syzbot mail quotes it.
    public static func parse(_ text: String) -> SyzbotReport {
        var parser = SyzbotReportParser()
        return parser.parse(text)
    }
}
