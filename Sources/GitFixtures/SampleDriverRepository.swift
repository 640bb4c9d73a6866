import Foundation

/// A small kernel-style C project with a review series against it, built in a temporary git
/// repository:
///
/// - `drivers/misc/foo/foo.h`: the driver's private struct (`struct foo_priv`), register
///   macros and the prototype of `foo_remove()`;
/// - `drivers/misc/foo/foo_core.c`: `foo_probe()`, whose allocation (`devm_kzalloc`) sits
///   more than 40 lines above the part the series changes, a static helper
///   `foo_hw_enable()`, `foo_remove()`, and the driver struct (`.remove = foo_remove`);
/// - `drivers/misc/foo/foo_glue.c`: calls `foo_remove()` directly and through
///   `.remove = foo_remove` in its own driver struct.
///
/// History on `main`: `initial`, then `base` (the series' base), then `later` (changes
/// foo_core.c, so the newest commit no longer matches the series' blobs). The series
/// (three patches) was written on a branch from `base` that no longer exists:
/// 1. `foo_probe()` enables the hardware and `foo_remove()` resets it (foo_core.c);
/// 2. foo_glue.c logs its shutdown;
/// 3. foo.h gets a new flag.
public struct SampleDriverRepository {
    public let fixture: GitFixture
    /// The commit the series was written against.
    public let base: String
    /// The commit before it, and the newest commit on `main`.
    public let initial: String
    public let later: String
    /// `git format-patch` output of the series, without and with `base-commit:` lines.
    public let patches: [String]
    public let patchesWithBase: [String]
    /// The last commit of the series (kept as an object; no branch points at it).
    public let seriesTip: String

    public static let header = "drivers/misc/foo/foo.h"
    public static let core = "drivers/misc/foo/foo_core.c"
    public static let glue = "drivers/misc/foo/foo_glue.c"

    public static func make() throws -> SampleDriverRepository {
        let repo = try GitFixture(name: "sample-driver")
        try repo.write(header, headerText)
        try repo.write(core, coreText)
        try repo.write(glue, glueText)
        try repo.write("drivers/misc/foo/Makefile", "obj-$(CONFIG_FOO) += foo_core.o foo_glue.o\n")
        let initial = try repo.commit("foo: add the foo driver")
        try repo.edit(core, replacing: "\tpriv->dev = &pdev->dev;\n",
                      with: "\tpriv->dev = &pdev->dev;\n\tpriv->flags = 0;\n")
        let base = try repo.commit("foo: start with no flags")

        try repo.git("checkout", "-q", "-b", "series", base)
        try repo.edit(core, replacing: "\tplatform_set_drvdata(pdev, priv);\n\treturn 0;\n}\n",
                      with: "\tret = foo_hw_enable(priv);\n\tif (ret) {\n\t\tclk_disable_unprepare(priv->clk);\n"
                        + "\t\treturn ret;\n\t}\n\tpriv->flags |= FOO_FLAG_READY;\n\n"
                        + "\tplatform_set_drvdata(pdev, priv);\n\treturn 0;\n}\n")
        try repo.edit(core, replacing: "\tclk_disable_unprepare(priv->clk);\n\treturn 0;\n}\nEXPORT",
                      with: "\twritel(FOO_CTRL_RESET, priv->regs + FOO_CTRL);\n"
                        + "\tclk_disable_unprepare(priv->clk);\n\treturn 0;\n}\nEXPORT")
        try repo.commit("foo: enable the hardware in probe\n\nAnd reset it on remove.")
        try repo.edit(glue, replacing: "\tfoo_remove(pdev);\n", with: "\tdev_info(&pdev->dev, \"shutting down\\n\");\n\tfoo_remove(pdev);\n")
        try repo.commit("foo: glue: say when shutting down")
        try repo.edit(header, replacing: "#define FOO_STATUS\t\t0x04\n",
                      with: "#define FOO_STATUS\t\t0x04\n\n#define FOO_FLAG_READY\t\tBIT(0)\n")
        try repo.commit("foo: name the ready flag")
        let patches = try repo.formatPatch("\(base)..series")
        let patchesWithBase = try repo.formatPatch("\(base)..series", base: base)
        let tip = try repo.git("rev-parse", "series").trimmingCharacters(in: .whitespacesAndNewlines)

        try repo.git("checkout", "-q", "main")
        try repo.git("branch", "-q", "-D", "series")
        try repo.edit(core, replacing: "MODULE_LICENSE(\"GPL\");\n",
                      with: "MODULE_DESCRIPTION(\"foo controller\");\nMODULE_LICENSE(\"GPL\");\n")
        let later = try repo.commit("foo: describe the module")
        return SampleDriverRepository(fixture: repo, base: base, initial: initial, later: later,
                                      patches: patches, patchesWithBase: patchesWithBase, seriesTip: tip)
    }

    static let headerText = """
        /* SPDX-License-Identifier: GPL-2.0 */
        #ifndef _FOO_H
        #define _FOO_H

        #include <linux/platform_device.h>

        #define FOO_CTRL\t\t0x00
        #define FOO_CTRL_EN\t\tBIT(0)
        #define FOO_CTRL_RESET\t\tBIT(1)
        #define FOO_STATUS\t\t0x04

        /* Private state of one foo controller. */
        struct foo_priv {
        \tstruct device *dev;
        \tvoid __iomem *regs;
        \tstruct clk *clk;
        \tint irq;
        \tunsigned int flags;
        };

        int foo_remove(struct platform_device *pdev);

        #endif

        """

    static let coreText: String = {
        var setup = ""
        // The probe sets up many registers between the allocation and the hunk, as real
        // probes do, so the allocation is far above what the series changes.
        for n in 0..<14 {
            setup += "\twritel(\(n), priv->regs + FOO_CTRL + \(4 * n));\n"
            setup += "\tif (readl(priv->regs + FOO_STATUS) & \(1 << (n % 8)))\n"
            setup += "\t\tdev_dbg(&pdev->dev, \"step \(n) busy\\n\");\n"
        }
        return """
            // SPDX-License-Identifier: GPL-2.0
            #include <linux/clk.h>
            #include <linux/io.h>
            #include <linux/module.h>
            #include "foo.h"

            static int foo_hw_enable(struct foo_priv *priv)
            {
            \tu32 val = readl(priv->regs + FOO_CTRL);

            \tval |= FOO_CTRL_EN;
            \twritel(val, priv->regs + FOO_CTRL);
            \treturn 0;
            }

            static irqreturn_t foo_irq(int irq, void *data)
            {
            \tstruct foo_priv *priv = data;

            \twritel(0, priv->regs + FOO_STATUS);
            \treturn IRQ_HANDLED;
            }

            static int foo_probe(struct platform_device *pdev)
            {
            \tstruct foo_priv *priv;
            \tint ret;

            \tpriv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
            \tif (!priv)
            \t\treturn -ENOMEM;

            \tpriv->dev = &pdev->dev;
            \tpriv->regs = devm_platform_ioremap_resource(pdev, 0);
            \tif (IS_ERR(priv->regs))
            \t\treturn PTR_ERR(priv->regs);

            \tpriv->clk = devm_clk_get(&pdev->dev, NULL);
            \tif (IS_ERR(priv->clk))
            \t\treturn PTR_ERR(priv->clk);

            \tpriv->irq = platform_get_irq(pdev, 0);
            \tif (priv->irq < 0)
            \t\treturn priv->irq;

            \tret = devm_request_irq(&pdev->dev, priv->irq, foo_irq, 0, "foo", priv);
            \tif (ret)
            \t\treturn ret;

            \(setup)
            \tret = clk_prepare_enable(priv->clk);
            \tif (ret)
            \t\treturn ret;

            \tplatform_set_drvdata(pdev, priv);
            \treturn 0;
            }

            int foo_remove(struct platform_device *pdev)
            {
            \tstruct foo_priv *priv = platform_get_drvdata(pdev);

            \tclk_disable_unprepare(priv->clk);
            \treturn 0;
            }
            EXPORT_SYMBOL_GPL(foo_remove);

            static const struct of_device_id foo_of_match[] = {
            \t{ .compatible = "acme,foo" },
            \t{ }
            };

            static struct platform_driver foo_driver = {
            \t.probe = foo_probe,
            \t.remove = foo_remove,
            \t.driver = {
            \t\t.name = "foo",
            \t\t.of_match_table = foo_of_match,
            \t},
            };
            module_platform_driver(foo_driver);

            MODULE_LICENSE("GPL");

            """
    }()

    static let glueText = """
        // SPDX-License-Identifier: GPL-2.0
        #include <linux/module.h>
        #include "foo.h"

        static void foo_glue_shutdown(struct platform_device *pdev)
        {
        \tfoo_remove(pdev);
        }

        static struct platform_driver foo_glue_driver = {
        \t.remove = foo_remove,
        \t.shutdown = foo_glue_shutdown,
        \t.driver = {
        \t\t.name = "foo-glue",
        \t},
        };
        module_platform_driver(foo_glue_driver);

        """
}

extension SampleDriverRepository {
    /// The series as a threaded mbox with a cover letter, as a list would carry it; with
    /// `base: true` the cover letter and patches carry `base-commit:` lines.
    public func seriesMbox(base: Bool) throws -> URL {
        let range = "\(self.base)..\(seriesTip)"
        let mails = try fixture.formatPatch(range, base: base ? self.base : nil, coverLetter: true, thread: true)
        return try fixture.writeMbox(mails, name: base ? "series-base.mbox" : "series.mbox")
    }
}
