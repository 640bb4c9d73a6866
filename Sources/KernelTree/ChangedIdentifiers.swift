/// The names the changed lines of a task use, sorted into what the context looks up:
/// tagged types, members reached through a pointer or a value, constants and macros,
/// calls, and typedef-looking names. Pure: the lines in, the names out, in first-seen order.
struct ChangedIdentifiers: Sendable {
    var tags: [(kind: CDefinition.Kind, name: String)] = []
    /// `base->member` / `base.member`.
    var members: [(base: String, member: String)] = []
    var constants: [String] = []
    var calls: [String] = []
    var typeNames: [String] = []
    /// Every other identifier (for file-scope variables of the same file).
    var others: [String] = []

    init() {}

    init(lines: [String]) {
        var seen = Set<String>()
        func once(_ key: String) -> Bool { seen.insert(key).inserted }
        for line in lines {
            var text = line
            text.withUTF8 { bytes in
                var tokens: [CToken] = []
                CLexer.tokenize(bytes, into: &tokens)
                func name(_ i: Int) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(tokens[i].start)..<tokens[i].end]), as: UTF8.self)
                }
                for i in tokens.indices where tokens[i].kind == .identifier {
                    let word = name(i)
                    let previous = i > 0 ? tokens[i - 1] : nil
                    let next = i + 1 < tokens.count ? tokens[i + 1] : nil
                    if word == "struct" || word == "union" || word == "enum" {
                        if let next, next.kind == .identifier, i + 1 < tokens.count {
                            let tag = name(i + 1)
                            let kind: CDefinition.Kind = word == "struct" ? .structure : (word == "union" ? .union : .enumeration)
                            if once("tag \(word) \(tag)") { tags.append((kind, tag)) }
                        }
                        continue
                    }
                    if CVocabulary.keywords.contains(word) || ContextVocabulary.skipped(word) { continue }
                    if let previous, previous.isPunct(UInt8(ascii: ".")) || previous.isPunct(CPunct.arrow) {
                        if i >= 2, tokens[i - 2].kind == .identifier {
                            let base = name(i - 2)
                            if once("member \(base) \(word)") { members.append((base, word)) }
                        } else if once("member ? \(word)") {
                            members.append(("", word))
                        }
                        continue
                    }
                    if i > 0, tokens[i - 1].kind == .identifier,
                       ["struct", "union", "enum"].contains(name(i - 1)) { continue }
                    if next?.isPunct(UInt8(ascii: "(")) == true {
                        if once("call \(word)") { calls.append(word) }
                    } else if Self.isConstantName(word) {
                        if once("constant \(word)") { constants.append(word) }
                    } else if word.hasSuffix("_t") {
                        if once("type \(word)") { typeNames.append(word) }
                    } else if once("other \(word)") {
                        others.append(word)
                    }
                }
            }
        }
    }

    /// `FOO_BAR`, `REG2`: upper case, digits and underscores, with a letter.
    static func isConstantName(_ word: String) -> Bool {
        word.utf8.count >= 2 && word.utf8.contains { $0 >= 0x41 && $0 <= 0x5A }
            && word.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}

/// Kernel vocabulary every reviewer (and model) knows: showing its definition would only
/// spend the budget. Errno values are left out the same way.
enum ContextVocabulary {
    static func skipped(_ word: String) -> Bool {
        if common.contains(word) { return true }
        // EINVAL, ENOMEM, EPROBE_DEFER...
        if word.hasPrefix("E"), ChangedIdentifiers.isConstantName(word), errnoLike.contains(word) || word.hasPrefix("EPROBE") {
            return true
        }
        return false
    }

    static let common: Set<String> = [
        "NULL", "true", "false", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32",
        "__u64", "__s8", "__s16", "__s32", "__s64", "__le16", "__le32", "__le64", "__be16", "__be32", "__be64",
        "size_t", "ssize_t", "bool", "uintptr_t", "dma_addr_t", "phys_addr_t", "resource_size_t", "gfp_t",
        "loff_t", "pid_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t",
        "BIT", "BIT_ULL", "GENMASK", "GENMASK_ULL", "FIELD_GET", "FIELD_PREP", "ARRAY_SIZE", "container_of",
        "min", "max", "min_t", "max_t", "clamp", "clamp_t", "likely", "unlikely", "WARN_ON", "WARN_ON_ONCE",
        "BUG_ON", "BUG", "WARN", "READ_ONCE", "WRITE_ONCE", "IS_ERR", "PTR_ERR", "ERR_PTR", "IS_ERR_OR_NULL",
        "ERR_CAST", "PTR_ERR_OR_ZERO", "dev_err", "dev_warn", "dev_info", "dev_dbg", "dev_notice",
        "dev_err_probe", "dev_err_ratelimited", "pr_err", "pr_warn", "pr_info", "pr_debug", "pr_notice",
        "printk", "sizeof", "offsetof", "KERN_ERR", "KERN_INFO", "KERN_WARNING", "KERN_DEBUG", "GFP_KERNEL",
        "GFP_ATOMIC", "GFP_NOWAIT", "GFP_DMA", "__func__", "EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL",
        "MODULE_LICENSE", "MODULE_AUTHOR", "MODULE_DESCRIPTION", "THIS_MODULE", "DIV_ROUND_UP", "ALIGN",
        "upper_32_bits", "lower_32_bits", "memcpy", "memset", "strcmp", "strncmp", "strlen", "strscpy",
        "snprintf", "sprintf", "scnprintf", "kfree", "kmalloc", "kzalloc", "kcalloc", "devm_kzalloc",
        "devm_kcalloc", "devm_kmalloc", "ret", "err", "rc", "i", "j", "dev", "pdev", "U8_MAX", "U16_MAX",
        "U32_MAX", "U64_MAX", "INT_MAX", "UINT_MAX", "LONG_MAX", "ULONG_MAX", "SZ_4K", "PAGE_SIZE",
        "HZ", "jiffies", "current", "__init", "__exit", "__iomem", "__user", "__must_check", "fallthrough",
    ]

    static let errnoLike: Set<String> = [
        "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD", "EAGAIN",
        "ENOMEM", "EACCES", "EFAULT", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL",
        "ENFILE", "EMFILE", "ENOTTY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM",
        "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOSYS", "ENOTEMPTY", "ENODATA", "ETIME", "ETIMEDOUT",
        "EOVERFLOW", "EOPNOTSUPP", "ENOTSUPP", "ECONNRESET", "ENOBUFS", "EALREADY", "EINPROGRESS",
        "ESHUTDOWN", "ECANCELED", "ENOLINK", "EPROTO", "EBADMSG", "EILSEQ", "ENOTCONN", "EREMOTEIO",
        "EMSGSIZE", "ENOSR", "ENOMSG", "ERESTARTSYS",
    ]
}
