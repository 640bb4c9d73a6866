/// Words the scanners must not take for names: C keywords, and the kernel's attribute
/// macros that take an argument list (so `__printf(2, 3)` is not a function).
enum CVocabulary {
    static let keywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
        "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
        "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
        "volatile", "while", "_Bool", "_Alignas", "_Alignof", "_Atomic", "_Generic", "_Noreturn",
        "_Static_assert", "_Thread_local", "typeof", "__typeof__", "__typeof", "asm", "__asm__", "__asm",
        "__inline", "__inline__", "__volatile__", "__restrict", "__const", "__signed__", "bool", "alignof",
        "__alignof__", "__auto_type", "__extension__", "__builtin_offsetof", "typeof_unqual",
    ]

    /// Attribute macros written with an argument list before or after a declarator.
    static let attributeFunctions: Set<String> = [
        "__attribute__", "__attribute", "__acquires", "__releases", "__must_hold", "__printf", "__scanf",
        "__section", "__aligned", "__alloc_size", "__realloc_size", "__counted_by", "__diagnose_as",
        "__cond_acquires", "__cond_releases", "__cond_lock", "__assume_aligned", "__cleanup", "__access",
        "__no_sanitize_or_inline", "__nonstring", "asm", "__asm__", "__asm", "__ksym", "__weak_alias",
        "__alias", "__visible_alias", "__noreturn_if", "__malloc_like", "__symver", "__designated_init",
        "__deprecated_msg", "__warn_unused_result_if", "__no_context_analysis", "__guarded_by",
        "__pt_guarded_by", "__must_be_array", "__builtin_expect", "__percpu_seg_override",
        "__annotate_jump_table", "__bpf_kfunc_attr", "__counted_by_le", "__counted_by_be",
    ]

    /// Words that stand after a declarator name without an argument list.
    static func isTrailingAttribute(_ name: String) -> Bool {
        name.hasPrefix("__") && (trailingAttributes.contains(name) || name.hasSuffix("data")
            || name.hasSuffix("const") || name.hasSuffix("_aligned") || name.hasSuffix("_mostly")
            || name.hasSuffix("_after_init") || name.hasSuffix("bss"))
    }

    static let trailingAttributes: Set<String> = [
        "__initdata", "__initconst", "__read_mostly", "__ro_after_init", "__maybe_unused", "__used",
        "__refdata", "__cacheline_aligned", "__cacheline_aligned_in_smp", "__packed", "__randomize_layout",
        "__no_randomize_layout", "__percpu", "__rcu", "__iomem", "__user", "__force", "__weak", "__unused",
        "__always_unused", "__exitdata", "__nosavedata", "__page_aligned_data", "__page_aligned_bss",
        "__lsm_ro_after_init", "__latent_entropy", "__visible", "__noreturn", "__must_check", "__init",
        "__exit", "__cold", "__hot", "__noinline", "__always_inline", "__pure", "__flatten", "__noclone",
        "__initdata_or_module", "__meminit", "__meminitdata", "__bitwise", "__private", "__nocast",
        "__safe", "__kernel", "__tagged", "__nonstring", "__counted_by_ptr",
    ]

    /// `DEFINE_MUTEX(foo_lock);` at file scope defines `foo_lock`; these per-CPU forms put
    /// the name last (`DEFINE_PER_CPU(type, name)`).
    static func definingMacroTakesNameLast(_ macro: String) -> Bool {
        macro.contains("PER_CPU")
    }

    static func isDefiningMacro(_ macro: String) -> Bool {
        macro.hasPrefix("DEFINE_") || macro.hasPrefix("DECLARE_") || macro == "LIST_HEAD"
            || macro == "HLIST_HEAD"
    }
}
