import Testing
@testable import KernelTree

@Suite("C outline")
struct COutlineTests {
    func summary(_ source: String) -> [String] {
        COutline.scan(source).definitions.map { d in
            "\(d.kind.label) \(d.name) \(d.line)-\(d.endLine)" + (d.scope.isEmpty ? "" : " in \(d.scope)") + (d.isStatic ? " static" : "")
        }
    }

    @Test("functions span from their return type to the closing brace, braces in strings and comments ignored")
    func functions() {
        let source = """
            static int
            foo_probe(struct platform_device *pdev)
            {
            \tconst char *s = "}{";   /* } */
            \tchar c = '}';
            \t// }
            \tif (s) {
            \t\treturn 1;
            \t}
            \treturn 0;
            }

            void __init foo_init(void) __acquires(lock)
            {
            }
            """
        #expect(summary(source) == [
            "function foo_probe 1-11 static",
            "function foo_init 13-15",
        ])
    }

    @Test("structs, members, typedefs, enums, macros and variables")
    func definitions() {
        let source = """
            #define FOO_CTRL 0x00
            #define FOO_MULTI(x) \\
            \t((x) + 1)
            struct foo;
            struct foo_priv {
            \tstruct device *dev;
            \tint (*callback)(int a);
            \tunsigned int flag:1, other:2;
            \tu8 buf[16];
            \tunion {
            \t\tint a;
            \t\tlong b;
            \t};
            } __packed;
            typedef struct {
            \tint x;
            } foo_t;
            enum foo_state { FOO_IDLE, FOO_BUSY = 2, };
            static DEFINE_MUTEX(foo_lock);
            static const struct dev_pm_ops foo_pm = {
            \t.suspend = foo_suspend,
            };
            int foo_remove(struct platform_device *pdev);
            EXPORT_SYMBOL_GPL(foo_remove);
            static int nowayout = 1;
            """
        #expect(summary(source) == [
            "macro FOO_CTRL 1-1",
            "macro FOO_MULTI 2-3",
            "struct foo_priv 5-14",
            "member dev 6-6 in foo_priv",
            "member callback 7-7 in foo_priv",
            "member flag 8-8 in foo_priv",
            "member other 8-8 in foo_priv",
            "member buf 9-9 in foo_priv",
            "member a 11-11 in foo_priv",
            "member b 12-12 in foo_priv",
            "typedef foo_t 15-17",
            "member x 16-16 in foo_t",
            "enum foo_state 18-18",
            "enumerator FOO_IDLE 18-18 in foo_state",
            "enumerator FOO_BUSY 18-18 in foo_state",
            "variable foo_lock 19-19 static",
            "variable foo_pm 20-22 static",
            "prototype foo_remove 23-23",
            "variable nowayout 25-25 static",
        ])
    }

    @Test("the #else branch does not count for braces, after #if 0 it does")
    func conditionals() {
        let source = """
            #ifdef CONFIG_FOO
            static int foo(int a)
            {
            #else
            static int foo(int a, int b)
            {
            #endif
            \treturn a;
            }

            #if 0
            static int dead(void)
            {
            #else
            static int alive(void)
            {
            #endif
            \treturn 0;
            }
            """
        #expect(summary(source) == [
            "function foo 2-9 static",
            "function alive 15-19 static",
        ])
    }

    @Test("a brace in column 0 closes a function left open, so the next one is still found")
    func resync() {
        let source = """
            static void broken(void)
            {
            \tif (x) {
            }

            static int next(void)
            {
            \treturn 0;
            }
            """
        #expect(summary(source) == [
            "function broken 1-4 static",
            "function next 6-9 static",
        ])
    }

    @Test("a macro call without a semicolon does not become the next function's name")
    func macroBeforeFunction() {
        let source = """
            DEFINE_SHOW_ATTRIBUTE(foo)

            static int bar(void)
            {
            \treturn 0;
            }

            SYSCALL_DEFINE2(frob, int, a, int, b)
            {
            \treturn a + b;
            }
            """
        #expect(summary(source) == [
            "function bar 3-6 static",
            "function sys_frob 8-11",
        ])
    }

    @Test("enclosing finds the smallest construct around a line")
    func enclosing() {
        let outline = COutline.scan("""
            struct a {
            \tint x;
            };
            static int f(void)
            {
            \treturn 0;
            }
            """)
        #expect(outline.enclosing(line: 2)?.name == "a")
        #expect(outline.enclosing(line: 6)?.name == "f")
        #expect(outline.function(containing: 2) == nil)
    }
}
