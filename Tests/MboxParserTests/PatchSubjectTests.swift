import Testing
@testable import MboxParser

/// One row per subject form in formats.md (and b4's reply markers).
struct SubjectCase: Sendable, CustomStringConvertible {
    let subject: String
    var title: String
    var revision = 1
    var explicitRevision = false
    var fractional: String? = nil
    var index: Int? = nil
    var total: Int? = nil
    var reply = false
    var rfc = false
    var resend = false
    var pull = false
    var prefixes: [String] = []
    var listTags: [String] = []

    var description: String { subject }
}

let subjectCases: [SubjectCase] = [
    SubjectCase(subject: "[PATCH v3 02/11] subsys: title", title: "subsys: title", revision: 3, explicitRevision: true, index: 2, total: 11),
    SubjectCase(subject: "[PATCH 0/7] watchdog: s3c2410: Add Exynos850 support", title: "watchdog: s3c2410: Add Exynos850 support", index: 0, total: 7),
    SubjectCase(subject: "[PATCHv3] foo: bar", title: "foo: bar", revision: 3, explicitRevision: true),
    SubjectCase(subject: "[patch V2 00/11] foo", title: "foo", revision: 2, explicitRevision: true, index: 0, total: 11),
    SubjectCase(subject: "[RFC PATCH] foo", title: "foo", rfc: true),
    SubjectCase(subject: "[PATCH RESEND v8 00/10] foo", title: "foo", revision: 8, explicitRevision: true, index: 0, total: 10, resend: true),
    SubjectCase(subject: "[RESEND PATCHv3 0/2] foo", title: "foo", revision: 3, explicitRevision: true, index: 0, total: 2, resend: true),
    SubjectCase(subject: "[PATCH V9,RESEND,0/2] watchdog: mtk: x", title: "watchdog: mtk: x", revision: 9, explicitRevision: true, index: 0, total: 2, resend: true),
    SubjectCase(subject: "[PATCH net-next v3 0/4] net: dsa: x", title: "net: dsa: x", revision: 3, explicitRevision: true, index: 0, total: 4, prefixes: ["net-next"]),
    SubjectCase(subject: "[PATCH v2 net-next 0/8] net: x", title: "net: x", revision: 2, explicitRevision: true, index: 0, total: 8, prefixes: ["net-next"]),
    SubjectCase(subject: "[iptables PATCH v2 4/4] nft: Fix EPERM", title: "nft: Fix EPERM", revision: 2, explicitRevision: true, index: 4, total: 4, prefixes: ["iptables"]),
    SubjectCase(subject: "[PATCH nft 2/2 v2] tests/shell: x", title: "tests/shell: x", revision: 2, explicitRevision: true, index: 2, total: 2, prefixes: ["nft"]),
    SubjectCase(subject: "[PATCH nftables 3/3, v2] x", title: "x", revision: 2, explicitRevision: true, index: 3, total: 3, prefixes: ["nftables"]),
    SubjectCase(subject: "[net,v2,1/2] net: ieee802154: x", title: "net: ieee802154: x", revision: 2, explicitRevision: true, index: 1, total: 2, prefixes: ["net"]),
    SubjectCase(subject: "[PATCH v3.1 2/8] dt-bindings: x", title: "dt-bindings: x", fractional: "3.1", index: 2, total: 8),
    SubjectCase(subject: "[PATCH 0 of 2] Sample Mercurial patches", title: "Sample Mercurial patches", index: 0, total: 2),
    SubjectCase(subject: "[PATCH 2 of 2] tests: x", title: "tests: x", index: 2, total: 2),
    SubjectCase(subject: "[Qemu-devel] [PATCH] hw/mips_malta: x", title: "hw/mips_malta: x", listTags: ["Qemu-devel"]),
    SubjectCase(subject: "[libvirt]  [PATCH v2] vcpupin: x", title: "vcpupin: x", revision: 2, explicitRevision: true, listTags: ["libvirt"]),
    SubjectCase(subject: "[libvirt] [python PATCH] event-test.py: x", title: "event-test.py: x", prefixes: ["python"], listTags: ["libvirt"]),
    SubjectCase(subject: "[staging/HTTPS-TLS][PATCH 1/2] x", title: "x", index: 1, total: 2, listTags: ["staging/HTTPS-TLS"]),
    SubjectCase(subject: "[YYY-1.0 qemu-kvm PATCH v2 4/4] XYZ", title: "XYZ", revision: 2, explicitRevision: true, index: 4, total: 4, prefixes: ["YYY-1.0", "qemu-kvm"]),
    SubjectCase(subject: "[PATCH -next] bpf: x", title: "bpf: x", prefixes: ["-next"]),
    SubjectCase(subject: "[Patch 2/2]: powerpc/hotplug/mm: x", title: "powerpc/hotplug/mm: x", index: 2, total: 2),
    SubjectCase(subject: "[GIT PULL] watchdog", title: "watchdog", pull: true),
    SubjectCase(subject: "[GIT PULL REQUEST] watchdog - v6.5 release cycle.", title: "watchdog - v6.5 release cycle.", pull: true),
    SubjectCase(subject: "[GIT] Networking", title: "Networking", pull: true),
    SubjectCase(subject: "[PULL] foo", title: "foo", pull: true),
    SubjectCase(subject: "[PULL 03/15] target/arm: x", title: "target/arm: x", index: 3, total: 15),
    SubjectCase(subject: "Re: [PATCH v2 3/5] x", title: "x", revision: 2, explicitRevision: true, index: 3, total: 5, reply: true),
    SubjectCase(subject: "RE: [PATCH v3.1 3/8] x", title: "x", fractional: "3.1", index: 3, total: 8, reply: true),
    SubjectCase(subject: "Aw: Re: Fwd: [PATCH] x", title: "x", reply: true),
    SubjectCase(subject: "SV: [PATCH] x", title: "x", reply: true),
    SubjectCase(subject: "net: fix: something", title: "net: fix: something"),
    SubjectCase(subject: "", title: ""),
]

@Suite struct PatchSubjectTests {
    @Test(arguments: subjectCases)
    func parsesForm(_ expected: SubjectCase) {
        let parsed = PatchSubject.parse(expected.subject)
        #expect(parsed.title == expected.title)
        #expect(parsed.revision == expected.revision)
        #expect(parsed.hasExplicitRevision == expected.explicitRevision)
        #expect(parsed.fractionalRevision == expected.fractional)
        #expect(parsed.index == expected.index)
        #expect(parsed.total == expected.total)
        #expect(parsed.isReply == expected.reply)
        #expect(parsed.isRFC == expected.rfc)
        #expect(parsed.isResend == expected.resend)
        #expect(parsed.isPullRequest == expected.pull)
        #expect(parsed.prefixes == expected.prefixes)
        #expect(parsed.listTags == expected.listTags)
    }

    @Test func foldedWhitespaceIsCollapsed() {
        let parsed = PatchSubject.parse("[PATCH v2 2/4] PM / OPP: Don't create copy of regulators\n  unnecessarily")
        #expect(parsed.full == "[PATCH v2 2/4] PM / OPP: Don't create copy of regulators unnecessarily")
        #expect(parsed.title == "PM / OPP: Don't create copy of regulators unnecessarily")
    }

    @Test func countsTheWayB4Does() {
        let unnumbered = PatchSubject.parse("[PATCH] x")
        #expect(unnumbered.counter == 1 && unnumbered.expected == 1)
        let beyond = PatchSubject.parse("[PATCH 6/5] x")
        #expect(beyond.expected == 6)
    }
}

@Suite struct PatchSubjectFastPathTests {
    @Test func replyMarkersFromTheFirstBytes() {
        for reply in ["Re: [PATCH] x", "RE: [PATCH] x", "  re:[PATCH] x", "Aw: x", "Fwd: [PATCH] x", "FW: x"] {
            #expect(PatchSubject.startsWithReplyMarker(reply), "\(reply)")
            #expect(PatchSubject.parse(reply).isReply, "the full parse agrees on \(reply)")
        }
        for patch in ["[PATCH] re: fix", "Revert \"x\"", "[RFC] fwd", "Rework: x", "", "Re"] {
            #expect(!PatchSubject.startsWithReplyMarker(patch), "\(patch)")
        }
    }

    @Test func whitespaceCollapsesTheSameOnBothPaths() {
        for subject in ["  [PATCH  v2\t1/3]\r\n   foo:  bar  ", "[PATCH] caf\u{e9}  \u{a0} x ", "\t"] {
            let unicode = subject.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            #expect(PatchSubject.collapsingWhitespace(subject) == unicode, "\(subject.debugDescription)")
        }
    }
}
