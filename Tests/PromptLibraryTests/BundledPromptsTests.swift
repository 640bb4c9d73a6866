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

    /// Each file goes into the cacheable prefix whenever it matches, so sizes are a budget:
    /// a subsystem guide of at most about 150 lines, a pattern of about 80, and the fixed
    /// guides, which every request carries, of about 90.
    @Test func fileSizesStayWithinBudget() {
        for file in library.files {
            let bytes = file.body.utf8.count
            switch file.kind {
            case .subsystem: #expect((1500...9000).contains(bytes), "\(file.path): \(bytes) bytes")
            case .pattern: #expect((1000...5000).contains(bytes), "\(file.path): \(bytes) bytes")
            case .guide, .template: #expect(bytes <= 6000, "\(file.path): \(bytes) bytes")
            }
        }
    }

    /// Every bundled file renders: the fixed guides with the configuration's values, the
    /// templates with the engine's (next test); the other files go into requests verbatim,
    /// so they may hold no placeholder at all.
    @Test func everyBundledFileRenders() throws {
        let variables = PromptLibrary.guideVariables(maxFindings: 8)
        for file in library.files {
            let used = try file.placeholders()
            if file.kind == .template { continue }
            if PromptLibrary.prefixGuides.contains(file.name) {
                let text = try library.renderedGuide(named: file.name, variables: variables)
                #expect(!text.contains("{{"), "\(file.path) left a placeholder")
            } else {
                #expect(used.isEmpty, "\(file.path) uses \(used), but only templates and the fixed guides are rendered")
            }
        }
    }

    /// core.md states the limit that `[review] max_findings_per_patch` sets, and cannot be
    /// rendered without it.
    @Test func coreStatesTheConfiguredFindingLimit() throws {
        let text = try library.renderedGuide(named: "core", variables: PromptLibrary.guideVariables(maxFindings: 3))
        #expect(text.contains("Report at most 3 findings"))
        #expect(!text.contains("five"))
        #expect(throws: PromptLibraryError.missingVariable(template: "core.md", variable: "max_findings")) {
            try library.renderedGuide(named: "core", variables: [:])
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
            "patch_guides": "- watchdog (subsystems/watchdog.md): a changed file matches `drivers/watchdog/**`",
            "code_context": "### Code from the tree", "base": "base-commit: 1a2b3c4d5e6f",
            "sections": "rwdt_probe() in drivers/watchdog/renesas_wdt.c", "omitted": "callers of rwdt_start()",
            "max_tool_turns": "6", "guides": "- watchdog (subsystems/watchdog.md)",
            "reason": "error: patch failed: drivers/watchdog/renesas_wdt.c:42", "fence_open": "<<<BEGIN DATA ID>>>", "fence_close": "<<<END DATA ID>>>",
            "reports": "Bug: KASAN: slab-use-after-free Write in recv_work",
            "checks": "failed: Fixes: 1a2b3c4d5e6f (\"foo: bar\"): not a commit of HEAD",
            "comments": "v1-C1: Rita Reviewer <rita@example.org> on v1\n> +\tfoo();\nWhy?",
            "findings": "v1-F1: our low logic finding on v1, drivers/foo.c",
            "changelog": "v2: use devm_clk_get() (Rita)",
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
