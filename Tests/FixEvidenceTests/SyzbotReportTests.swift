import Foundation
import Testing
@testable import FixEvidence

@Suite struct SyzbotReportTests {
    @Test func kasanUseAfterFreeHasItsThreeStacks() throws {
        let report = SyzbotReport.parse(try SyzbotFixtures.text("kasan-uaf-nbd-recv_work.txt"))
        #expect(report.crashClass == .kasanUseAfterFree)
        #expect(report.headline == "BUG: KASAN: slab-use-after-free in recv_work (drivers/block/nbd.c:1022)")
        #expect(report.accessDetail == "Write of size 4 at addr ffff8880295de478 by task kworker/u33:0/67")
        #expect(report.kernelVersion == "6.15.0-rc5-syzkaller-00123-g2c89c1b655c0")
        #expect(report.stacks.map(\.role) == [.access, .allocation, .free])
        #expect(report.stacks.map(\.label) == ["Call trace", "Allocated by task 5940", "Freed by task 67"])

        let access = try #require(report.stacks(.access).first)
        #expect(access.frames.first == StackFrame(symbol: "__dump_stack", location: "lib/dump_stack.c:94", isInline: true))
        #expect(access.frames.contains(StackFrame(symbol: "recv_work", location: "drivers/block/nbd.c:1022")))
        let freed = try #require(report.stacks(.free).first)
        #expect(freed.frames.map(\.function).contains("nbd_config_put"))
        // The page-owner stacks after KASAN's epilogue are not the bug's.
        #expect(!report.stacks.flatMap(\.frames).contains { $0.function == "usb_hcd_submit_urb" })
        // Machinery is left out of the functions a fix is checked against.
        #expect(report.functions.prefix(3) == ["recv_work", "nbd_alloc_and_init_config", "nbd_genl_connect"])
        #expect(report.functions.contains("nbd_config_put"))
        #expect(!report.functions.contains("kasan_report") && !report.functions.contains("kfree"))
    }

    @Test func lockdepChainsAndLocks() throws {
        let report = SyzbotReport.parse(try SyzbotFixtures.text("lockdep-ipmr-smc.txt"))
        #expect(report.crashClass == .lockdepDeadlock)
        #expect(report.kernelVersion == "6.10.0-rc6-syzkaller-01403-g40ab9e0dc865")
        #expect(report.stacks(.lockChain).map(\.label) == [
            "-> #2 (&smc->clcsock_release_lock)", "-> #1 (sk_lock-AF_INET6)", "-> #0 (rtnl_mutex)",
        ])
        #expect(report.lockNotes == [
            "being taken: rtnl_mutex at ip_mroute_setsockopt (net/ipv4/ipmr.c:1369)",
            "already held: &smc->clcsock_release_lock at smc_setsockopt (net/smc/af_smc.c:3064)",
            "chain: rtnl_mutex --> sk_lock-AF_INET6 --> &smc->clcsock_release_lock",
        ])
        // The call trace after `stack backtrace:` is the access stack; it stops at the user RIP.
        let trace = try #require(report.stacks(.access).first)
        #expect(trace.frames.last?.function == "entry_SYSCALL_64_after_hwframe")
        #expect(report.functions.contains("smc_switch_to_fallback"))
        #expect(report.functions.contains("ip_mroute_setsockopt"))
    }

    @Test func warningNamesTheFunctionTheInlinedFramesSitIn() throws {
        let report = SyzbotReport.parse(try SyzbotFixtures.text("warning-mpls-gso.txt"))
        #expect(report.crashClass == .warning)
        #expect(report.headline.hasSuffix("mpls_gso_segment (net/mpls/mpls_gso.c:34)"))
        #expect(report.faultingFrame == StackFrame(symbol: "mpls_gso_segment", location: "net/mpls/mpls_gso.c:34"))
        #expect(report.kernelVersion == "6.8.0-rc4-syzkaller-01071-g4934446297c2")
        #expect(report.functions.first == "mpls_gso_segment")
        #expect(report.functions.contains("nsh_gso_segment"))
        // `do_syscall_64+0xf9/0x240` has no location and is still a frame.
        #expect(report.stacks(.access).first?.frames.contains { $0.symbol == "do_syscall_64" } == true)
    }

    /// Report shapes of the other classes, written from the kernel's report formats.
    @Test(arguments: [
        ("BUG: KMSAN: uninit-value in foo_rx+0x1a/0x2b0 drivers/net/foo.c:88\n foo_rx+0x1a/0x2b0 drivers/net/foo.c:88\n\nUninit was created at:\n slab_alloc_node mm/slub.c:3478 [inline]\n foo_alloc+0x10/0x20 drivers/net/foo.c:40\n",
         CrashClass.kmsanUninitValue, [ReportStack.Role.access, .origin]),
        ("BUG: memory leak\nunreferenced object 0xffff888106c4e000 (size 32):\n  comm \"syz-executor\", pid 5073, jiffies 4294944542\n  backtrace (crc 1f5f8b6c):\n    [<ffffffff8167f2bb>] kmemleak_alloc_recursive include/linux/kmemleak.h:42 [inline]\n    [<ffffffff8167f2bb>] foo_new+0x3b/0x90 drivers/foo/foo.c:12\n",
         .memoryLeak, [.leakAllocation]),
        ("INFO: task syz-executor:5120 blocked for more than 143 seconds.\n      Not tainted 6.8.0-syzkaller-08951-gfe46a7dd189e #0\nCall Trace:\n <TASK>\n __schedule+0x17e8/0x4a20 kernel/sched/core.c:6723\n foo_wait+0x12/0x40 drivers/foo/foo.c:99\n </TASK>\n",
         .hungTask, [.access]),
        ("Oops: general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN PTI\nKASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]\nRIP: 0010:foo_get+0x2a/0x80 drivers/foo/foo.c:7\nCall Trace:\n <TASK>\n foo_open+0x10/0x20 drivers/foo/foo.c:30\n </TASK>\n",
         .generalProtectionFault, [.access]),
    ])
    func otherClasses(text: String, expected: CrashClass, roles: [ReportStack.Role]) {
        let report = SyzbotReport.parse(text)
        #expect(report.crashClass == expected)
        #expect(report.stacks.map(\.role) == roles)
    }

    @Test func hungTaskReportNamesTheKernel() {
        let report = SyzbotReport.parse("INFO: task x:1 blocked for more than 143 seconds.\n      Not tainted 6.8.0-syzkaller-08951-gfe46a7dd189e #0\n")
        #expect(report.kernelVersion == "6.8.0-syzkaller-08951-gfe46a7dd189e")
    }

    @Test func framesLoseTheirOffsetsAndUnreliableOnesAreSkipped() {
        #expect(StackFrame.parse(" foo_bar+0x12/0x340 net/core/dev.c:123") == StackFrame(symbol: "foo_bar", location: "net/core/dev.c:123"))
        #expect(StackFrame.parse(" __slab_alloc.constprop.0+0x56/0xb0 mm/slub.c:3948")?.function == "__slab_alloc")
        #expect(StackFrame.parse(" hci_cmd_work+0x3b3/0x3d0 [bluetooth]")?.module == "bluetooth")
        #expect(StackFrame.parse("[  767.773770]  conn_update_sync+0x2a/0xf0 [bluetooth]")?.symbol == "conn_update_sync")
        #expect(StackFrame.parse(" ? foo+0x1/0x2") == nil)
        #expect(StackFrame.parse("Modules linked in:") == nil)
        #expect(StackFrame.parse("Call Trace:") == nil)
        #expect(StackFrame.parse(" foo+0x1/0x2 ../../etc/passwd:1") == nil)
    }

    /// Hostile text: one endless line, a flood of frames, and no report at all stay bounded.
    @Test func limitsHold() {
        let frames = (0..<500).map { " f\($0)+0x1/0x2 a/b.c:\($0)" }.joined(separator: "\n")
        let report = SyzbotReport.parse("BUG: KASAN: slab-use-after-free in f0\nCall Trace:\n" + frames)
        #expect(report.stacks.first?.frames.count == FixEvidenceLimits.framesPerStack)
        #expect(report.stacks.first?.omittedFrames == 500 - FixEvidenceLimits.framesPerStack)
        let long = SyzbotReport.parse("BUG: KASAN: x in " + String(repeating: "a", count: 1 << 20))
        #expect(long.headline.utf8.count <= 210)
        let many = SyzbotReport.parse(String(repeating: "x\n", count: FixEvidenceLimits.reportLines + 10))
        #expect(many.truncated && many.crashClass == .other)
        let evidence = SyzbotBugEvidence(reference: SyzbotReference(key: .extid, value: "0123456789abcdef0123", line: "")!,
                                         bug: SyzbotBug(title: "x"), reports: [report], pageURL: "http://x/bug")
        #expect(evidence.summary.utf8.count <= FixEvidenceLimits.summaryBytes + 400)
    }
}
