import HindsightCore

/// The result of combinatorially symmetric cross-validation over a returns matrix.
public struct OverfittingReport: Sendable, Equatable {
    /// Probability of backtest overfitting: the share of splits whose in-sample best is below the out-of-sample median.
    public var pbo: Double
    /// logit(ω̄) of each split, ω̄ the out-of-sample relative rank of the in-sample best.
    public var logits: [Double]
    /// Slope and intercept of OOS Sharpe on IS Sharpe of the selected strategy across splits (performance degradation).
    public var degradationSlope: Double
    public var degradationIntercept: Double
    /// Share of splits whose selected strategy has a negative out-of-sample Sharpe.
    public var probabilityOfLoss: Double
    public var splits: Int
    public var blocks: Int
}

extension Metrics {
    /// Probability of backtest overfitting by CSCV (Bailey, Borwein, López de Prado & Zhu 2015). Rows are split into
    /// `blocks` (even) contiguous blocks; every half of the blocks is in-sample once and its complement out of sample.
    /// Performance is the per-period Sharpe ratio, computed from per-block sums, so each split costs O(blocks · N).
    public static func backtestOverfitting(_ m: ReturnsMatrix, blocks: Int = 16) throws -> OverfittingReport {
        let t = m.rows, n = m.columns
        guard blocks >= 2, blocks % 2 == 0 else {
            throw HindsightError(.invalidArgument, "CSCV needs an even number of blocks, got \(blocks)")
        }
        guard n >= 2 else { throw HindsightError(.invalidArgument, "CSCV needs at least 2 strategies, got \(n)") }
        guard t >= 2 * blocks else {
            throw HindsightError(.invalidArgument, "CSCV with \(blocks) blocks needs at least \(2 * blocks) rows, got \(t)")
        }
        // Per-block sums and sums of squares: blocks × n.
        var bounds = [0]
        for b in 1...blocks { bounds.append(t * b / blocks) }
        let sums = m.blockSums(bounds: bounds, squared: false)
        let squares = m.blockSums(bounds: bounds, squared: true)
        let counts = (0..<blocks).map { Double(bounds[$0 + 1] - bounds[$0]) }
        var totalSum = [Double](repeating: 0, count: n), totalSq = totalSum
        for b in 0..<blocks { for j in 0..<n { totalSum[j] += sums[b * n + j]; totalSq[j] += squares[b * n + j] } }
        let total = Double(t)

        @inline(__always) func sharpe(_ s: Double, _ q: Double, _ c: Double) -> Double {
            let mean = s / c
            let v = (q - c * mean * mean) / (c - 1)
            return v > 0 ? mean / v.squareRoot() : (mean > 0 ? .infinity : (mean < 0 ? -.infinity : 0))
        }

        var logits: [Double] = []
        var isBest: [Double] = [], oosBest: [Double] = []
        var trainSum = [Double](repeating: 0, count: n), trainSq = trainSum
        var oos = [Double](repeating: 0, count: n)
        forEachCombination(blocks, blocks / 2) { chosen in
            for j in 0..<n { trainSum[j] = 0; trainSq[j] = 0 }
            var c = 0.0
            for b in chosen {
                c += counts[b]
                let base = b * n
                for j in 0..<n { trainSum[j] += sums[base + j]; trainSq[j] += squares[base + j] }
            }
            var best = 0, bestValue = -Double.infinity
            for j in 0..<n {
                let s = sharpe(trainSum[j], trainSq[j], c)
                if s > bestValue { bestValue = s; best = j }
            }
            for j in 0..<n { oos[j] = sharpe(totalSum[j] - trainSum[j], totalSq[j] - trainSq[j], total - c) }
            let target = oos[best]
            var below = 0, equal = 0
            for j in 0..<n { if oos[j] < target { below += 1 } else if oos[j] == target { equal += 1 } }
            // Relative rank in (0, 1), ties sharing the average rank.
            let rank = Double(below) + Double(equal + 1) / 2
            let omega = rank / Double(n + 1)
            logits.append(Foundation_log(omega / (1 - omega)))
            isBest.append(bestValue); oosBest.append(target)
        }
        let pbo = Double(logits.filter { $0 <= 0 }.count) / Double(logits.count)
        let finite = (0..<isBest.count).filter { isBest[$0].isFinite && oosBest[$0].isFinite }
        var slope = Double.nan, intercept = Double.nan
        if finite.count >= 2 {
            let xs = finite.map { isBest[$0] }, ys = finite.map { oosBest[$0] }
            let mx = Stat.mean(xs), my = Stat.mean(ys)
            var sxy = 0.0, sxx = 0.0
            for i in 0..<xs.count { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) * (xs[i] - mx) }
            if sxx > 0 { slope = sxy / sxx; intercept = my - slope * mx }
        }
        return OverfittingReport(pbo: pbo, logits: logits, degradationSlope: slope, degradationIntercept: intercept,
                                 probabilityOfLoss: Double(oosBest.filter { $0 < 0 }.count) / Double(oosBest.count),
                                 splits: logits.count, blocks: blocks)
    }

    /// Calls `body` with each k-subset of 0..<n in lexicographic order.
    static func forEachCombination(_ n: Int, _ k: Int, _ body: ([Int]) -> Void) {
        var idx = Array(0..<k)
        while true {
            body(idx)
            var i = k - 1
            while i >= 0 && idx[i] == n - k + i { i -= 1 }
            if i < 0 { return }
            idx[i] += 1
            for j in (i + 1)..<k { idx[j] = idx[j - 1] + 1 }
        }
    }
}
