// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Swift 6 language mode (strict concurrency) for every Swift target; see the loop at the end.
let package = Package(
    name: "reviewbot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reviewbot", targets: ["ReviewBot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries, as system libraries with a shim header for what Swift cannot import
        // (variadic curl_easy_setopt, libetpan's clist macros).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-gnutls-dev"])]),
        .systemLibrary(name: "CEtpan", path: "Sources/CEtpan",
                       providers: [.apt(["libetpan-dev"])]),

        // Mail, MIME, patches and series: pure parsing, no I/O beyond reading files.
        .target(name: "MboxParser"),
        // libcurl wrapped for Swift: HTTP (lore, the model API) and SMTP.
        .target(name: "CurlKit", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("z")]),
        // Where mail comes from: files, stdin, lore, IMAP.
        .target(name: "MailSources", dependencies: ["MboxParser", "CurlKit", "CEtpan"]),
        // What a fix is checked against: syzbot reports, Fixes: tags, earlier review rounds.
        .target(name: "FixEvidence", dependencies: ["MboxParser", "CurlKit"]),
        // Loading, matching and rendering review-prompts/.
        .target(name: "PromptLibrary", dependencies: ["MboxParser"], resources: [.copy("Resources/review-prompts")]),
        // Tasks, the model client, findings, drafts.
        .target(name: "ReviewEngine", dependencies: [
            "MboxParser", "PromptLibrary", "CurlKit", "FixEvidence",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // A local git checkout read without changing it: the series applied into a temporary
        // index, a symbol index per base tree, callers, the context tools.
        .target(name: "KernelTree", dependencies: ["MboxParser"]),
        // The commands' behaviour and the configuration file, callable from tests.
        .target(name: "ReviewBotKit", dependencies: [
            "MboxParser", "MailSources", "PromptLibrary", "ReviewEngine", "FixEvidence", "KernelTree",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The executable: argument parsing and exit codes only.
        .executableTarget(name: "ReviewBot", dependencies: [
            "ReviewBotKit", "CurlKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Test doubles that speak the real protocols on loopback (lore's paths, the Messages API).
        .target(name: "LoopbackServers", dependencies: ["CurlKit"]),
        // scripts/bench-review: the real runner over libcurl against the fake API, in-process.
        .executableTarget(name: "ReviewBench", dependencies: [
            "ReviewBotKit", "ReviewEngine", "LoopbackServers", "MboxParser", "PromptLibrary", "CurlKit",
        ]),
        // scripts/bench-watch: a day of list traffic through the watcher against the fake API.
        .executableTarget(name: "WatchBench", dependencies: [
            "ReviewBotKit", "ReviewEngine", "LoopbackServers", "PromptLibrary",
        ]),
        // scripts/trigger-noise: how many prompt files the triggers select per fixture patch.
        .executableTarget(name: "TriggerNoise", dependencies: ["PromptLibrary", "MboxParser"]),

        // Throwaway git repositories of C code for tests (a sample driver and a series).
        .target(name: "GitFixtures"),
        // scripts/bench-tree: context assembly on a real kernel tree, cold and warm.
        .executableTarget(name: "TreeBench", dependencies: ["ReviewBotKit", "ReviewEngine", "KernelTree", "PromptLibrary"]),

        .testTarget(name: "MboxParserTests", dependencies: ["MboxParser"], exclude: ["Fixtures", "Golden"]),
        .testTarget(name: "PromptLibraryTests", dependencies: ["PromptLibrary", "MboxParser"],
                    exclude: ["Golden", "TriggerFixtures"]),
        .testTarget(name: "MailSourcesTests", dependencies: ["MailSources", "LoopbackServers", "MboxParser"]),
        .testTarget(name: "ReviewEngineTests", dependencies: ["ReviewEngine", "LoopbackServers", "MboxParser", "FixEvidence"]),
        .testTarget(name: "ReviewBotTests", dependencies: ["ReviewBotKit", "CurlKit", "LoopbackServers", "GitFixtures"],
                    exclude: ["Golden"]),
        .testTarget(name: "KernelTreeTests", dependencies: ["KernelTree", "MboxParser", "ReviewBotKit", "ReviewEngine", "GitFixtures"]),
        // The built `reviewbot` run as a user runs it: exit codes, help, completions.
        .testTarget(name: "ReviewBotCLITests", dependencies: ["ReviewBot", "LoopbackServers", "GitFixtures"]),
        .testTarget(name: "FixEvidenceTests", dependencies: ["FixEvidence", "LoopbackServers", "MboxParser"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

// The drafting fuzz target, only for scripts/fuzz-drafts, which builds it with
// `swift build --sanitize fuzzer --sanitize address`; ordinary builds never see it.
if ProcessInfo.processInfo.environment["REVIEWBOT_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "DraftFuzz", dependencies: ["ReviewBotKit", "ReviewEngine", "MboxParser"],
                                             path: "Fuzz/DraftFuzz"))
}

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
