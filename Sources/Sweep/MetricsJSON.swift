import Analytics
import HindsightCore

/// A point's `metrics_json`: its summary metrics and run numbers (keys sorted once, not per point) merged with the
/// engine's extra fields. Byte for byte what `JSONText.object` writes for the same pairs.
enum MetricsJSON {
    /// The numeric fields every point has, in the order `numbers` are given.
    static let numberKeys: [String] = ReturnsMatrix.summaryMetricNames.filter { $0 != "deflated_sharpe_ratio" }
        + ["sharpe_per_period", "skewness_g3", "kurtosis_g4", "n_obs", "final_equity", "initial_cash"]
    /// Positions of `numberKeys` in sorted key order, and each key written as `"key":`.
    static let order: [Int] = numberKeys.indices.sorted { numberKeys[$0] < numberKeys[$1] }
    static let keyBytes: [[UInt8]] = numberKeys.map { Array(JSONText.quote($0).utf8) + [0x3A] }

    /// The numbers in `numberKeys` order from a summary and the run's figures.
    static func numbers(_ s: Metrics.SeriesSummary, observations: Int, finalEquity: Double, initialCash: Double) -> [Double] {
        var v: [Double] = []
        v.reserveCapacity(numberKeys.count)
        for (i, name) in ReturnsMatrix.summaryMetricNames.enumerated() where name != "deflated_sharpe_ratio" { v.append(s.values[i]) }
        v += [s.sharpePerPeriod, s.skewness, s.kurtosis, Double(observations), finalEquity, initialCash]
        return v
    }

    /// The object of `numbers` (in `numberKeys` order) and already-encoded `extras`, keys sorted.
    static func render(numbers: [Double], extras: [(String, String)]) -> String {
        let extra = extras.sorted { $0.0 < $1.0 }
        var out: [UInt8] = [0x7B]
        out.reserveCapacity(40 * (numbers.count + extra.count))
        var j = 0
        func separate() { if out.count > 1 { out.append(0x2C) } }
        func appendExtra() {
            separate()
            out.append(contentsOf: JSONText.quote(extra[j].0).utf8)
            out.append(0x3A)
            out.append(contentsOf: extra[j].1.utf8)
            j += 1
        }
        for i in order {
            while j < extra.count && extra[j].0 < numberKeys[i] { appendExtra() }
            separate()
            out.append(contentsOf: keyBytes[i])
            out.append(contentsOf: JSONText.number(numbers[i]).utf8)
        }
        while j < extra.count { appendExtra() }
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }
}
