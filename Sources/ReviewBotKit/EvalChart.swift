import Foundation

/// The eval's chart, written by hand as SVG so any browser shows it without a plotting
/// library: one horizontal bar per subsystem (and one for all rows), the recall of
/// detected problems in dark, the partial ones added in light, and with several runs a
/// whisker of one standard deviation either side of the mean recall. Every text that
/// comes from the benchmark is escaped.
enum EvalChart {
    static let labelWidth = 180.0
    static let plotWidth = 420.0
    static let rowHeight = 26.0
    static let top = 56.0
    static let bottom = 48.0
    static let right = 90.0

    static func recallBySubsystem(_ summary: EvalSummary, runs: Int) -> String {
        let groups = [summary.overall] + summary.subsystems
        let width = labelWidth + plotWidth + right
        let height = top + Double(groups.count) * rowHeight + bottom
        func x(_ share: Double) -> Double { labelWidth + plotWidth * min(1, max(0, share)) }
        func n(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg: [String] = []
        svg.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(n(width))" height="\##(n(height))" "##
            + ##"viewBox="0 0 \##(n(width)) \##(n(height))" font-family="sans-serif" font-size="12">"##)
        svg.append(##"<title>Recall per subsystem</title>"##)
        svg.append(##"<rect width="100%" height="100%" fill="#ffffff"/>"##)
        svg.append(##"<text x="\##(n(labelWidth))" y="20" font-size="14" font-weight="bold">Recall per subsystem</text>"##)
        let legend = runs > 1 ? "dark: detected, light: partial; whiskers: ±1 standard deviation over \(runs) runs"
            : "dark: detected, light: partial; one run"
        svg.append(##"<text x="\##(n(labelWidth))" y="38" fill="#555555">\##(EvalText.xml(legend))</text>"##)

        // Grid lines every 20 %.
        for step in 0...5 {
            let share = Double(step) / 5
            let gx = x(share)
            svg.append(##"<line x1="\##(n(gx))" y1="\##(n(top - 4))" x2="\##(n(gx))" y2="\##(n(height - bottom + 4))" "##
                + ##"stroke="#dddddd"/>"##)
            svg.append(##"<text x="\##(n(gx))" y="\##(n(height - bottom + 18))" text-anchor="middle" "##
                + ##"fill="#555555">\##(step * 20)%</text>"##)
        }

        for (index, group) in groups.enumerated() {
            let y = top + Double(index) * rowHeight
            let barY = y + 5
            let barHeight = rowHeight - 10
            let rows = group.perRun.first?.rows ?? 0
            let label = (index == 0 ? "all rows" : group.name) + " (\(rows))"
            svg.append(##"<text x="\##(n(labelWidth - 8))" y="\##(n(y + rowHeight / 2 + 4))" text-anchor="end">"##
                + "\(EvalText.xml(label))</text>")
            guard let recall = group.recall else { continue }
            let withPartial = group.recallWithPartial?.mean ?? recall.mean
            svg.append(##"<rect x="\##(n(labelWidth))" y="\##(n(barY))" width="\##(n(x(withPartial) - labelWidth))" "##
                + ##"height="\##(n(barHeight))" fill="#9ecae1"/>"##)
            svg.append(##"<rect x="\##(n(labelWidth))" y="\##(n(barY))" width="\##(n(x(recall.mean) - labelWidth))" "##
                + ##"height="\##(n(barHeight))" fill="#3182bd"/>"##)
            if recall.runs > 1 {
                let low = x(recall.mean - recall.standardDeviation), high = x(recall.mean + recall.standardDeviation)
                let mid = barY + barHeight / 2
                svg.append(##"<line x1="\##(n(low))" y1="\##(n(mid))" x2="\##(n(high))" y2="\##(n(mid))" stroke="#000000" "##
                    + ##"stroke-width="1.5"/>"##)
                for end in [low, high] {
                    svg.append(##"<line x1="\##(n(end))" y1="\##(n(mid - 5))" x2="\##(n(end))" y2="\##(n(mid + 5))" "##
                        + ##"stroke="#000000" stroke-width="1.5"/>"##)
                }
            }
            let text = String(format: "%.1f%%", recall.mean * 100)
                + (recall.runs > 1 ? String(format: " ±%.1f", recall.standardDeviation * 100) : "")
            svg.append(##"<text x="\##(n(labelWidth + plotWidth + 6))" y="\##(n(y + rowHeight / 2 + 4))">"##
                + "\(EvalText.xml(text))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }
}
