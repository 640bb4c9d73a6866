/// Bounds on everything a patch, a tool call or a tree can make us do. Each number says
/// where it comes from; they are constants so a maintainer can read them in one place.
public enum KernelTreeLimits {
    // MARK: git

    /// Plumbing commands (read-tree, apply, write-tree, ls-tree, rev-list). `git read-tree`
    /// of Linux 6.1 takes about a second on the 2-core build machine; two minutes leaves room
    /// for a loaded machine and a cold page cache without hanging a review forever.
    public static let gitTimeoutSeconds = 120.0
    /// Output of one plumbing command. `git ls-tree -r` of Linux 6.1 prints about 6 MB.
    public static let gitOutputBytes = 64 << 20
    /// stderr kept per command: git's reasons are a few lines.
    public static let maxStderrBytes = 64 << 10
    /// Largest file read for context or a tool. The largest hand-written C file in Linux 6.1
    /// is under 1 MB; generated register headers reach 40 MB and are not worth a prompt.
    public static let maxBlobBytes = 8 << 20
    /// Files larger than this are listed but not indexed: in Linux 6.1 the 83 C files over
    /// 1 MB hold 350 MB of generated register #defines (drivers/gpu/drm/amd/include/asic_reg)
    /// and nothing a review reads. `grep` still searches them.
    public static let maxIndexedFileBytes = 1 << 20

    // MARK: base

    /// Commits that touch the series' files examined by the blob guess. b4 looks back 30
    /// days; 1000 commits covers years of history for one driver's files.
    public static let blobGuessCommits = 1_000
    /// The history walk of the blob guess. Without a commit-graph, finding 1000 commits
    /// that touch a driver in Linux's history takes a few seconds; a walk cut by this
    /// deadline still offers the newest commits it found.
    public static let blobGuessTimeoutSeconds = 30.0
    /// Pre-image blobs compared per candidate commit: a series touching more files is
    /// guessed from its first ones.
    public static let blobGuessPaths = 64
    /// A patch larger than this is not applied: b4 and Sashiko skip series of about 10k
    /// changed lines; 16 MB of diff is far beyond that.
    public static let maxPatchBytes = 16 << 20

    // MARK: tools

    /// One tool answer: about 4k tokens, so six turns of tools stay well inside a request.
    public static let maxToolResultBytes = 16 << 10
    /// Lines `read_file` returns at most; the model pages with start/end.
    public static let maxReadFileLines = 400
    /// Matches `grep` returns at most.
    public static let maxGrepMatches = 200
    /// A longer pattern is refused: git compiles it for every file it reads.
    public static let maxGrepPatternBytes = 256
    /// `git grep` over a whole tree object: about 20 s for Linux 6.1 on the loaded 2-core
    /// machine; a tool call that takes longer is cut and says so.
    public static let grepTimeoutSeconds = 30.0
    /// Longest symbol name or path a tool accepts (Linux's longest path is 160 bytes).
    public static let maxNameBytes = 256
    /// Call sites `find_callers` lists.
    public static let maxCallSites = 60
    /// Files scanned for references of one name. `kfree` appears in about 12k files of
    /// Linux 6.1; asking for its callers is answered from the first files and says so.
    public static let maxReferenceFiles = 1_500
    /// Definitions of one name `find_definition` and `read_function` show (a name defined
    /// per architecture can have dozens).
    public static let maxDefinitionsShown = 4

    // MARK: context

    /// A function longer than this is shown as its head and the lines around the hunks.
    public static let maxFunctionLines = 200
    /// Lines kept at the top of a cut function (the allocation at the top of a probe).
    public static let functionHeadLines = 40
    /// Lines kept either side of a changed line in a cut function.
    public static let functionWindowLines = 25
    /// Call sites per changed function in a task's context.
    public static let maxContextCallSites = 12
    /// Definitions per task (types, macros, helpers) before the rest are only named.
    public static let maxContextDefinitions = 40
    /// Deepest caller graph the configuration may ask for.
    public static let maxCallerDepth = 3
}
