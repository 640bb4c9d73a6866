import Foundation

extension PromptBundle {
    /// The bundles with every patch's specs replaced by the union of the series' specs (in
    /// first-seen order), so all patches of the series share one cached prefix. A spec
    /// matched by one patch is useful context for its neighbours, and reading it from
    /// cache costs a tenth of sending a smaller, patch-specific prefix uncached.
    public static func sharingSpecs(_ bundles: [PromptBundle]) -> [PromptBundle] {
        var union: [String] = []
        for text in bundles.flatMap(\.specTexts) where !union.contains(text) { union.append(text) }
        return bundles.map { bundle in
            var shared = bundle
            shared.specTexts = union
            return shared
        }
    }
}
