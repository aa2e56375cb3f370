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

        var logits: [Double] = [], isBest: [Double] = [], oosBest: [Double] = []
        var trainSum = [Double](repeating: 0, count: n), trainSq = trainSum, isSharpe = trainSum, oos = trainSum
        sums.withUnsafeBufferPointer { sums in squares.withUnsafeBufferPointer { squares in
        totalSum.withUnsafeBufferPointer { totalSum in totalSq.withUnsafeBufferPointer { totalSq in
        trainSum.withUnsafeMutableBufferPointer { trainSum in trainSq.withUnsafeMutableBufferPointer { trainSq in
        isSharpe.withUnsafeMutableBufferPointer { isSharpe in oos.withUnsafeMutableBufferPointer { oos in
            forEachCombination(blocks, blocks / 2) { chosen in
                var c = 0.0
                for (k, b) in chosen.enumerated() {
                    c += counts[b]
                    let base = b * n
                    if k == 0 {
                        for j in 0..<n { trainSum[j] = 0 + sums[base + j]; trainSq[j] = 0 + squares[base + j] }
                    } else {
                        for j in 0..<n { trainSum[j] += sums[base + j]; trainSq[j] += squares[base + j] }
                    }
                }
                sharpeRatios(sum: { trainSum[$0] }, squares: { trainSq[$0] }, count: c, into: isSharpe)
                sharpeRatios(sum: { totalSum[$0] - trainSum[$0] }, squares: { totalSq[$0] - trainSq[$0] }, count: total - c, into: oos)
                var best = 0, bestValue = -Double.infinity
                for j in 0..<n where isSharpe[j] > bestValue { bestValue = isSharpe[j]; best = j }
                let target = oos[best]
                var below = 0, equal = 0
                for j in 0..<n { below &+= oos[j] < target ? 1 : 0; equal &+= oos[j] == target ? 1 : 0 }
                // Relative rank in (0, 1), ties sharing the average rank.
                let rank = Double(below) + Double(equal + 1) / 2
                let omega = rank / Double(n + 1)
                logits.append(Foundation_log(omega / (1 - omega)))
                isBest.append(bestValue); oosBest.append(target)
            }
        } } } } } } } }
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

    /// Per-period Sharpe ratio of each column from its sum and sum of squares over `count` rows, four lanes at a
    /// time (the same IEEE operations as one at a time, so the same bits): a zero variance gives ±∞ by the mean's
    /// sign, or 0.
    @inline(__always)
    static func sharpeRatios(sum: (Int) -> Double, squares: (Int) -> Double, count c: Double, into out: UnsafeMutableBufferPointer<Double>) {
        let n = out.count
        let cv = SIMD4<Double>(repeating: c), dof = SIMD4<Double>(repeating: c - 1)
        var j = 0
        while j + 4 <= n {
            let s = SIMD4(sum(j), sum(j + 1), sum(j + 2), sum(j + 3)), q = SIMD4(squares(j), squares(j + 1), squares(j + 2), squares(j + 3))
            let mean = s / cv
            let v = (q - cv * mean * mean) / dof
            var flat = SIMD4<Double>(repeating: 0)
            flat.replace(with: .infinity, where: mean .> 0)
            flat.replace(with: -.infinity, where: mean .< 0)
            let r = flat.replacing(with: mean / v.squareRoot(), where: v .> 0)
            out[j] = r[0]; out[j + 1] = r[1]; out[j + 2] = r[2]; out[j + 3] = r[3]
            j += 4
        }
        while j < n {
            let mean = sum(j) / c
            let v = (squares(j) - c * mean * mean) / (c - 1)
            out[j] = v > 0 ? mean / v.squareRoot() : (mean > 0 ? .infinity : (mean < 0 ? -.infinity : 0))
            j += 1
        }
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
