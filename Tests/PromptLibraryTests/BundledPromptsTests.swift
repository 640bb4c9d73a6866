import Foundation
import Testing
@testable import PromptLibrary

@Suite struct BundledPromptsTests {
    let library: PromptLibrary

    init() throws { library = try PromptLibrary.load() }

    @Test func everyBundledFileParsesWithoutWarnings() throws {
        #expect(library.warnings.isEmpty, "\(library.warnings)")
        #expect(library.files.allSatisfy { $0.origin == .bundled })
        for name in ["core", "false-positive-guide", "verify", "inline-style", "syzkaller", "task", "verify-task"] {
            #expect(throws: Never.self) { try library.file(named: name) }
        }
    }

    @Test func requiredSubsystemsAndPatternsArePresent() {
        let subsystems = Set(library.files.filter { $0.kind == .subsystem }.map(\.name))
        #expect(subsystems.isSuperset(of: [
            "sound", "networking", "netfilter", "mm-folio", "mm-vma", "mm-slab", "mm-reclaim", "vfs", "block",
            "usb", "driver-core", "locking", "rcu",
            "workqueues-timers", "dma-mmio", "pci", "drm", "bpf", "cleanup-guards", "watchdog",
        ]))
        let patterns = Set(library.files.filter { $0.kind == .pattern }.map(\.name))
        #expect(patterns.isSuperset(of: [
            "error-path-leaks", "refcount-balance", "use-after-free", "lock-balance", "sleep-in-atomic",
            "disconnect-races", "err-ptr-null", "size-overflow", "user-lengths", "uninit-copy-to-user",
            "dma-map-balance", "runtime-pm-balance", "devm-mixing", "teardown-order",
        ]))
    }

    @Test func subsystemAndPatternFilesHaveTriggersAndEndWithQuickChecks() {
        for file in library.files where file.kind == .subsystem || file.kind == .pattern {
            #expect(!file.triggers.isEmpty, "\(file.path) has no trigger")
            let headings = file.body.split(separator: "\n").filter { $0.hasPrefix("## ") }
            #expect(headings.last == "## Quick checks", "\(file.path) must close with '## Quick checks'")
            let checks = file.body.components(separatedBy: "## Quick checks").last ?? ""
            #expect(checks.split(separator: "\n").filter { $0.hasPrefix("- ") }.count >= 3,
                    "\(file.path) needs a list of quick checks")
        }
    }

    /// Each file goes into the cacheable prefix whenever it matches, so sizes are a budget.
    @Test func fileSizesStayWithinBudget() {
        for file in library.files {
            let bytes = file.body.utf8.count
            switch file.kind {
            case .subsystem: #expect((1500...4600).contains(bytes), "\(file.path): \(bytes) bytes")
            case .pattern: #expect((1000...2800).contains(bytes), "\(file.path): \(bytes) bytes")
            case .guide, .template: #expect(bytes <= 4500, "\(file.path): \(bytes) bytes")
            }
        }
    }

    /// Each C snippet contrasts the wrong code with the right one.
    @Test func subsystemSnippetsShowWrongAndRight() {
        for file in library.files where file.kind == .subsystem || file.kind == .pattern {
            let blocks = file.body.components(separatedBy: "```c").dropFirst()
            #expect(!blocks.isEmpty, "\(file.path) has no C snippet")
            for block in blocks {
                let code = block.components(separatedBy: "```").first ?? ""
                #expect(code.contains("wrong") || code.contains("right"), "\(file.path): unlabelled snippet")
            }
        }
    }

    @Test func everyTemplateRendersWithFixtureVariables() throws {
        let templates = library.files.filter { $0.kind == .template }
        #expect(templates.count >= 2)
        let patch = try #require(try FixturePatches.load(
            "linux-mailinglist-archives__linux-watchdog/thread-single-patch-renesas-wdt-reviewed-applied.mbox").first)
        let values: [String: String] = [
            "patch_number": "1", "patch_total": "1", "revision": "1", "cover_letter": "(none)",
            "patch_title": patch.title,
            "commit_message": patch.facts.commitMessage,
            "diffstat": " drivers/watchdog/renesas_wdt.c | 29 +++++++++++++++++++++++------",
            "task_scope": "all hunks of drivers/watchdog/renesas_wdt.c",
            "hunks": patch.facts.addedLines.map { "+" + $0 }.joined(separator: "\n"),
            "finding_file": "drivers/watchdog/renesas_wdt.c",
            "finding_anchor": "\tclk_prepare_enable(priv->clk);",
            "finding_category": "api-misuse",
            "finding_severity": "medium",
            "finding_comment": "Can clk_prepare_enable() sleep here?",
            "finding_evidence": "rwdt_restart() is called from the restart notifier chain",
            "reports": "Bug: KASAN: slab-use-after-free Write in recv_work",
            "checks": "failed: Fixes: 1a2b3c4d5e6f (\"foo: bar\"): not a commit of HEAD",
            "comments": "v1-C1: Rita Reviewer <rita@example.org> on v1\n> +\tfoo();\nWhy?",
            "findings": "v1-F1: our low logic finding on v1, drivers/foo.c",
        ]
        for template in templates {
            let used = try template.placeholders()
            #expect(!used.isEmpty, "\(template.path) uses no variables")
            let rendered = try library.render(template: template.name, variables: values)
            #expect(!rendered.contains("{{"), "\(template.path) left a placeholder")
            for name in used { #expect(rendered.contains(try #require(values[name]))) }
        }
    }
}
