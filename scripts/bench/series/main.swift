// Compiled together with Sources/MboxParser by scripts/bench-series (no package target needed).
import Foundation

let path = CommandLine.arguments[1]
let runs = Int(CommandLine.arguments[2]) ?? 50
let messages = try SeriesMessage.read(path: path).messages
var times: [Double] = []
var patches = 0
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    if case .found(let series) = SeriesAssembler(messages: messages).select() { patches = series.patches.count }
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
}
times.sort()
print(String(format: "%.3f %d %d", times[times.count / 2], messages.count, patches))
