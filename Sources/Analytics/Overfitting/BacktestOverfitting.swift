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
            throw HindsightError(
                .invalidArgument, "CSCV with \(blocks) blocks needs at least \(2 * blocks) rows, got \(t)")
        }
        // Per-block sums and sums of squares: blocks × n.
        var bounds = [0]
        for b in 1...blocks { bounds.append(t * b / blocks) }
        let sums = m.blockSums(bounds: bounds, squared: false)
        let squares = m.blockSums(bounds: bounds, squared: true)
        let counts = (0..<blocks).map { Double(bounds[$0 + 1] - bounds[$0]) }
        var totalSum = [Double](repeating: 0, count: n), totalSq = totalSum
        for b in 0..<blocks {
            for j in 0..<n {
                totalSum[j] += sums[b * n + j]
                totalSq[j] += squares[b * n + j]
            }
        }
        let total = Double(t)

        var logits: [Double] = [], isBest: [Double] = [], oosBest: [Double] = []
        let k = blocks / 2
        // In lexicographic order consecutive splits share a prefix of blocks, so the in-sample sums are kept per
        // prefix depth and only the changed tail is re-added (the same additions in the same order as summing
        // each split from scratch, so the same bits).
        let prefix = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * (k + 1) * n)
        let work = UnsafeMutableBufferPointer<Double>.allocate(capacity: 4 * n)
        defer {
            prefix.deallocate()
            work.deallocate()
        }
        prefix.initialize(repeating: 0)
        let isSharpe = UnsafeMutableBufferPointer(rebasing: work[0..<n]),
            oos = UnsafeMutableBufferPointer(rebasing: work[n..<(2 * n)])
        let oosSum = work.baseAddress! + 2 * n, oosSq = work.baseAddress! + 3 * n
        var countPrefix = [Double](repeating: 0, count: k + 1)
        var chosen = Array(0..<k)
        var from = 0
        sums.withUnsafeBufferPointer { sums in
            squares.withUnsafeBufferPointer { squares in
                totalSum.withUnsafeBufferPointer { totalSum in
                    totalSq.withUnsafeBufferPointer { totalSq in
                        while true {
                            for d in from..<k {
                                let b = chosen[d], base = b * n
                                countPrefix[d + 1] = countPrefix[d] + counts[b]
                                let lastSum = prefix.baseAddress! + 2 * d * n, lastSq = lastSum + n,
                                    nextSum = lastSq + n, nextSq = nextSum + n
                                for j in 0..<n {
                                    nextSum[j] = lastSum[j] + sums[base + j]
                                    nextSq[j] = lastSq[j] + squares[base + j]
                                }
                            }
                            let trainSum = prefix.baseAddress! + 2 * k * n, trainSq = trainSum + n
                            let c = countPrefix[k]
                            for j in 0..<n {
                                oosSum[j] = totalSum[j] - trainSum[j]
                                oosSq[j] = totalSq[j] - trainSq[j]
                            }
                            sharpeRatios(sum: trainSum, squares: trainSq, count: c, into: isSharpe)
                            sharpeRatios(sum: oosSum, squares: oosSq, count: total - c, into: oos)
                            var best = 0, bestValue = -Double.infinity
                            for j in 0..<n where isSharpe[j] > bestValue {
                                bestValue = isSharpe[j]
                                best = j
                            }
                            let target = oos[best]
                            var below = 0, equal = 0
                            for j in 0..<n {
                                below &+= oos[j] < target ? 1 : 0
                                equal &+= oos[j] == target ? 1 : 0
                            }
                            // Relative rank in (0, 1), ties sharing the average rank.
                            let rank = Double(below) + Double(equal + 1) / 2
                            let omega = rank / Double(n + 1)
                            logits.append(libmLog(omega / (1 - omega)))
                            isBest.append(bestValue)
                            oosBest.append(target)
                            // The next k-subset of 0..<blocks; `from` is the first position that changed.
                            var i = k - 1
                            while i >= 0 && chosen[i] == blocks - k + i { i -= 1 }
                            if i < 0 { break }
                            chosen[i] += 1
                            for j in (i + 1)..<k { chosen[j] = chosen[j - 1] + 1 }
                            from = i
                        }
                    }
                }
            }
        }
        let pbo = Double(logits.filter { $0 <= 0 }.count) / Double(logits.count)
        let finite = (0..<isBest.count).filter { isBest[$0].isFinite && oosBest[$0].isFinite }
        var slope = Double.nan, intercept = Double.nan
        if finite.count >= 2 {
            let xs = finite.map { isBest[$0] }, ys = finite.map { oosBest[$0] }
            let mx = Stat.mean(xs), my = Stat.mean(ys)
            var sxy = 0.0, sxx = 0.0
            for i in 0..<xs.count {
                sxy += (xs[i] - mx) * (ys[i] - my)
                sxx += (xs[i] - mx) * (xs[i] - mx)
            }
            if sxx > 0 {
                slope = sxy / sxx
                intercept = my - slope * mx
            }
        }
        return OverfittingReport(
            pbo: pbo, logits: logits, degradationSlope: slope, degradationIntercept: intercept,
            probabilityOfLoss: Double(oosBest.filter { $0 < 0 }.count) / Double(oosBest.count),
            splits: logits.count, blocks: blocks)
    }

    /// Per-period Sharpe ratio of each column from its sum and sum of squares over `count` rows, four lanes at a
    /// time: a zero variance gives ±∞ by the mean's sign, or 0. The two divisions by the count are multiplications
    /// by reciprocals (one division and one square root per column are the cost of a split).
    static func sharpeRatios(
        sum: UnsafePointer<Double>, squares: UnsafePointer<Double>, count c: Double,
        into out: UnsafeMutableBufferPointer<Double>
    ) {
        let n = out.count
        let inverse = 1 / c, inverseDof = 1 / (c - 1)
        let cv = SIMD4<Double>(repeating: c), iv = SIMD4<Double>(repeating: inverse),
            idof = SIMD4<Double>(repeating: inverseDof)
        let s4 = UnsafeRawPointer(sum), q4 = UnsafeRawPointer(squares), o4 = UnsafeMutableRawPointer(out.baseAddress!)
        var j = 0
        while j + 4 <= n {
            let s = s4.loadUnaligned(fromByteOffset: 8 * j, as: SIMD4<Double>.self)
            let q = q4.loadUnaligned(fromByteOffset: 8 * j, as: SIMD4<Double>.self)
            let mean = s * iv
            let v = (q - cv * mean * mean) * idof
            var flat = SIMD4<Double>(repeating: 0)
            flat.replace(with: .infinity, where: mean .> 0)
            flat.replace(with: -.infinity, where: mean .< 0)
            o4.storeBytes(
                of: flat.replacing(with: mean / v.squareRoot(), where: v .> 0), toByteOffset: 8 * j,
                as: SIMD4<Double>.self)
            j += 4
        }
        while j < n {
            let mean = sum[j] * inverse
            let v = (squares[j] - c * mean * mean) * inverseDof
            out[j] = v > 0 ? mean / v.squareRoot() : (mean > 0 ? .infinity : (mean < 0 ? -.infinity : 0))
            j += 1
        }
    }
}
