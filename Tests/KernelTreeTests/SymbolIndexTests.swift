import Foundation
import GitFixtures
import Testing
@testable import KernelTree

@Suite("The symbol index of a base tree")
struct SymbolIndexTests {
    @Test("postings say which files mention and which define a name; outlines give the spans")
    func lookups() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let treeID = try tree.treeOf(commit: sample.sample.base)
        let (index, built) = try tree.symbolIndex(forTree: treeID)
        #expect(built)
        func paths(_ name: String, defining: Bool) -> [String] {
            index.postings(for: name).filter { !defining || $0.defines }.map { index.files[$0.file].path }.sorted()
        }
        #expect(paths("foo_remove", defining: false) == [SampleDriverRepository.header, SampleDriverRepository.core,
                                                        SampleDriverRepository.glue].sorted())
        #expect(paths("foo_remove", defining: true) == [SampleDriverRepository.header, SampleDriverRepository.core].sorted())
        #expect(paths("struct", defining: false).isEmpty)
        let core = try #require(index.fileID(path: SampleDriverRepository.core))
        let probe = try #require(index.definitions(named: "foo_probe", in: core).first)
        #expect(probe.kind == .function && probe.isStatic && probe.line == 24)
        #expect(index.outline(of: core).map(\.name).contains("foo_driver"))
        // The Makefile is not C: it is not indexed.
        #expect(index.fileID(path: "drivers/misc/foo/Makefile") == nil)
    }

    @Test("the index is built once per tree and read back from the cache; an incomplete one is rebuilt")
    func cached() throws {
        let sample = try SampleSeries()
        let tree = try sample.open()
        let treeID = try tree.treeOf(commit: sample.sample.base)
        #expect(try tree.symbolIndex(forTree: treeID).built)
        #expect(try !tree.symbolIndex(forTree: treeID).built)
        let meta = sample.cache.appendingPathComponent("trees/\(treeID)/\(SymbolIndexFormat.directoryName)/meta")
        try FileManager.default.removeItem(at: meta)
        let (index, built) = try tree.symbolIndex(forTree: treeID)
        #expect(built)
        #expect(!index.postings(for: "foo_probe").isEmpty)
    }

    @Test("the per-file identifier set forgets everything between files")
    func identifierSet() {
        var set = IdentifierSet()
        var fresh = (UInt32(1)...5000).map { set.insert($0) }
        #expect(fresh.allSatisfy { $0 })
        var again = set.insert(42)
        #expect(!again)
        #expect(set.members.count == 5000)
        set.removeAll()
        #expect(set.members.isEmpty)
        fresh = [set.insert(42)]
        again = set.insert(42)
        #expect(fresh == [true] && !again)
    }
}
