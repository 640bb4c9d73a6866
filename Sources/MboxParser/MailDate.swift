import Foundation

/// RFC 5322 dates, obsolete forms included: two- and three-digit years, alphabetic zones
/// (`EST`, `GMT`, military letters), missing seconds, comments such as `(PDT)`, missing
/// day names, and the asctime order some mbox writers use (`Sep 17 00:00:00 2001`).
enum MailDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let days: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    /// RFC 5322 section 4.3; other alphabetic zones (military letters) mean "unknown",
    /// which the RFC says to read as +0000.
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]

    static func parse(_ text: String) -> Date? {
        var cleaned = String.UnicodeScalarView()
        var depth = 0
        for c in text.unicodeScalars {
            if c == "(" { depth += 1; continue }
            if c == ")" { depth = max(0, depth - 1); continue }
            if depth > 0 { continue }
            cleaned.append(c == "," ? " " : c)
        }
        let tokens = String(cleaned).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        var numbers: [Int] = []
        var month: Int?
        var time: [Int]?
        var zoneSeconds = 0
        for token in tokens {
            let lower = token.lowercased()
            if lower.contains(":") {
                let parts = lower.split(separator: ":").map { Int($0) }
                guard parts.count >= 2, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
                time = parts.map { $0! }
            } else if (lower.hasPrefix("+") || lower.hasPrefix("-")), lower.count == 5, let v = Int(lower.dropFirst()) {
                let seconds = (v / 100) * 3600 + (v % 100) * 60
                zoneSeconds = lower.hasPrefix("-") ? -seconds : seconds
            } else if let v = Int(lower) {
                numbers.append(v)
            } else if lower.count >= 3, let m = months.firstIndex(of: String(lower.prefix(3))),
                      month == nil, !days.contains(String(lower.prefix(3))) {
                month = m + 1
            } else if let hours = zones[lower] {
                zoneSeconds = hours * 3600
            }
        }
        guard let month, numbers.count >= 2, let time else { return nil }
        var day = numbers[0]
        var year = numbers[1]
        if day > 31 { swap(&day, &year) }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let second = time.count == 3 ? time[2] : 0
        guard (1...31).contains(day), (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(second)
        else { return nil }
        let epochDays = daysFromCivil(year: year, month: month, day: day)
        let seconds = epochDays * 86_400 + time[0] * 3600 + time[1] * 60 + second - zoneSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's method).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
