import Foundation

/// `--patches 2,4-6`: the patch numbers (the N of N/M) to review.
public struct PatchNumbers: Sendable, Equatable, CustomStringConvertible {
    /// The text as given, for messages and the report.
    public let description: String
    let ranges: [ClosedRange<Int>]

    /// The largest number a range may name: a series slot counter never comes near it, and
    /// it keeps `1-99999999999` from being expanded.
    static let maxNumber = 9_999

    public init(parsing text: String) throws {
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
            let numbers = bounds.map { Int($0) }
            guard (1...2).contains(numbers.count), let low = numbers.first ?? nil, let high = numbers.last ?? nil,
                  low >= 1, low <= high, high <= Self.maxNumber else {
                throw ReviewBotError("--patches \(text): expected patch numbers and ranges such as 2,4-6 "
                    + "(from 1 to \(Self.maxNumber), each range low-high)")
            }
            ranges.append(low...high)
        }
        self.ranges = ranges
        description = text
    }

    public func contains(_ number: Int) -> Bool { ranges.contains { $0.contains(number) } }

    /// Refuses numbers the series does not have, so a typo never reviews less than meant
    /// in silence.
    func check(against numbers: [Int]) throws {
        let present = Set(numbers)
        let missing = ranges.flatMap { Array($0) }.filter { !present.contains($0) }
        guard missing.isEmpty else {
            let list = numbers.sorted().map(String.init).joined(separator: ", ")
            throw ReviewBotError("--patches \(description): the series has no patch "
                + missing.prefix(5).map(String.init).joined(separator: ", ")
                + (missing.count > 5 ? " and \(missing.count - 5) more" : "") + "; its patches are \(list)")
        }
    }
}
