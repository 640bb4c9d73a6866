import Testing
@testable import PromptLibrary

@Suite struct GlobTests {
    @Test(arguments: [
        ("sound/**", "sound/usb/card.c", true),
        ("sound/**", "include/sound/core.h", false),
        ("drivers/*/foo.c", "drivers/net/foo.c", true),
        ("drivers/*/foo.c", "drivers/net/eth/foo.c", false),
        ("**/Kconfig", "Kconfig", true),
        ("**/Kconfig", "drivers/watchdog/Kconfig", true),
        ("drivers/**/usb/*.c", "drivers/usb/x.c", true),
        ("drivers/**/usb/*.c", "drivers/media/usb/em28xx/x.c", false),
        ("drivers/**/usb/*.c", "drivers/media/usb/x.c", true),
        ("include/linux/netfilter*.h", "include/linux/netfilter_ipv4.h", true),
        ("include/linux/netfilter*.h", "include/linux/netfilter/x_tables.h", false),
        ("fs/ext?/inode.c", "fs/ext4/inode.c", true),
        ("fs/ext?/inode.c", "fs/ext/inode.c", false),
        ("arch/[ax]*/pci/**", "arch/x86/pci/common.c", true),
        ("arch/[!ax]*/pci/**", "arch/x86/pci/common.c", false),
        ("arch/[!ax]*/pci/**", "arch/mips/pci/fixup.c", true),
        ("drivers/[a-c]*", "drivers/base", true),
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("foo.c", "dir/foo.c", false),
    ])
    func matches(pattern: String, path: String, expected: Bool) throws {
        #expect(try Glob(pattern).matches(path) == expected)
    }

    @Test(arguments: [
        ("", "empty"), ("/sound/**", "leading '/'"), ("sound/[abc", "unterminated"),
        ("drivers/**x/y", "whole path segment"), ("a//b", "empty path segment"),
        ("drivers/[z-a]", "reversed"), ("foo\\", "escapes nothing"),
    ])
    func rejectsBadGlobs(pattern: String, problem: String) {
        #expect {
            try Glob(pattern)
        } throws: { error in
            (error as? Glob.Problem)?.message.contains(problem) == true
        }
    }
}
