import Dispatch

extension ReturnsMatrix {
    /// Every summary metric for every column, with at most `threads` columns in flight (interleaved so the
    /// workers stay balanced). The deflated Sharpe ratio uses the number of columns as the number of trials and
    /// the variance of the columns' per-period Sharpe ratios.
    public func summaryMetrics(periodsPerYear p: Double = Metrics.defaultPeriodsPerYear, threads: Int = 2) -> [(
        name: String, values: [Double]
    )] {
        let metrics = SummaryMetric.allCases
        let k = metrics.count
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: k * columns)
        defer { out.deallocate() }
        let moments = UnsafeMutableBufferPointer<(sr: Double, g3: Double, g4: Double)>.allocate(capacity: columns)
        defer { moments.deallocate() }
        let workers = max(1, min(threads, columns))
        let rows = self.rows, columns = self.columns
        // Each column writes only its own slots.
        nonisolated(unsafe) let outShared = out, momentsShared = moments
        values.withUnsafeBufferPointer { v in
            nonisolated(unsafe) let v = v
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(rows, 1))
                defer { scratch.deallocate() }
                var row = SummaryMetric.Values()
                for j in stride(from: w, to: columns, by: workers) {
                    let col = UnsafeBufferPointer(rebasing: v[(j * rows)..<((j + 1) * rows)])
                    let m = ColumnSummary.compute(col, scratch: scratch, periodsPerYear: p, into: &row)
                    for (i, x) in row.storage.enumerated() { outShared[i * columns + j] = x }
                    momentsShared[j] = m ?? (.nan, .nan, .nan)
                }
            }
        }
        let finite = moments.map(\.sr).filter { $0.isFinite }
        let sd = finite.count > 1 ? Stat.std(finite) : 0
        let variance = sd * sd
        let dsrRow = SummaryMetric.deflatedSharpeRatio.rawValue
        let benchmark = Metrics.expectedMaxSharpe(trials: columns, variance: variance)
        for j in 0..<columns {
            let (sr, g3, g4) = moments[j]
            let denom = 1 - g3 * sr + (g4 - 1) / 4 * sr * sr
            out[dsrRow * columns + j] =
                sr.isFinite && denom > 0
                ? Stat.normalCDF((sr - benchmark) * Double(rows - 1).squareRoot() / denom.squareRoot()) : .nan
        }
        return metrics.map { m in (m.key, Array(out[(m.rawValue * columns)..<((m.rawValue + 1) * columns)])) }
    }
}
