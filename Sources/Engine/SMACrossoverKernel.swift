import HindsightCore

/// Single-asset SMA crossover on one close series, shared by every (fast, slow) point of a sweep.
///
/// SMA crossings are decided exactly: when every close is a whole number of 10⁻ᵈ units (d ≤ 6), prefix sums are
/// kept in Int64 and SMA_f(t) vs SMA_s(t) is the sign of sum_f·s − sum_s·f, so equal SMAs compare equal (float
/// SMAs get such ties wrong at random). Otherwise sums are Double.
/// Semantics (vectorbt `Portfolio.from_signals` with `fees`): enter long at the close of t when fast > slow at t
/// and fast ≤ slow at t − 1, both after warm-up; exit mirrored. All-in buy: shares = cash / (close·(1 + fee));
/// a sell returns shares·close·(1 − fee). Entries while long and exits while flat are ignored; an open position
/// is marked at the last close.
public struct SMACrossoverKernel: Sendable {
    public let close: [Double]
    private let exactSums: [Int64]?
    private let floatSums: [Double]

    public init(close: [Double]) {
        self.close = close
        var fs = [Double](repeating: 0, count: close.count + 1)
        for i in 0..<close.count { fs[i + 1] = fs[i] + close[i] }
        floatSums = fs
        exactSums = SMACrossoverKernel.integerSums(close)
    }

    /// Prefix sums of the closes in integer units of 10⁻ᵈ, when that is exact and cannot overflow.
    static func integerSums(_ close: [Double]) -> [Int64]? {
        var units = [Int64](repeating: 0, count: close.count + 1)
        for d in 0...6 {
            let scale = Double(Int64(pow10(d)))
            var ok = true
            var largest: Int64 = 0
            for (i, c) in close.enumerated() {
                let u = (c * scale).rounded()
                guard c.isFinite, abs(u) < 1e12, u / scale == c else {
                    ok = false
                    break
                }
                units[i + 1] = units[i] + Int64(u)
                largest = max(largest, abs(units[i + 1]))
            }
            // Products sum·window must stay far from Int64's limit.
            if ok, largest < Int64(1) << 40 { return units }
        }
        return nil
    }

    private static func pow10(_ d: Int) -> Int { (0..<d).reduce(1) { acc, _ in acc * 10 } }

    /// Sign of SMA_fast(t) − SMA_slow(t), decided exactly when the closes allow; t ≥ slow − 1.
    @inline(__always)
    public func sign(_ fast: Int, _ slow: Int, _ t: Int) -> Int {
        if let s = exactSums {
            let a = (s[t + 1] - s[t + 1 - fast]) * Int64(slow), b = (s[t + 1] - s[t + 1 - slow]) * Int64(fast)
            return a > b ? 1 : (a < b ? -1 : 0)
        }
        let a = (floatSums[t + 1] - floatSums[t + 1 - fast]) / Double(fast)
        let b = (floatSums[t + 1] - floatSums[t + 1 - slow]) / Double(slow)
        return a > b ? 1 : (a < b ? -1 : 0)
    }

    /// The result of one (fast, slow) run.
    public struct Summary: Sendable, Equatable {
        public var finalValue: Double
        public var totalReturn: Double
        /// Entries (a still-open position counts).
        public var trades: Int
        /// Fills: entries plus exits.
        public var fills: Int
    }

    /// Runs one grid point; writes the daily equity when `equity` is given (its count must equal the series').
    /// With `wholeShares`, an entry buys ⌊cash / (close·(1 + fee))⌋ shares.
    /// `record` sees each fill: session, signed quantity, price and commission.
    public func run(
        fast: Int, slow: Int, fee: Double, initialCash: Double, wholeShares: Bool = false,
        record: ((Int, Double, Double, Double) -> Void)? = nil
    ) -> Summary {
        run(
            fast: fast, slow: slow, fee: fee, initialCash: initialCash, wholeShares: wholeShares, into: nil,
            record: record)
    }

    /// Runs one grid point and writes the daily equity into `equity` (its count must equal the series').
    public func run(
        fast: Int, slow: Int, fee: Double, initialCash: Double, wholeShares: Bool = false, equity: inout [Double],
        record: ((Int, Double, Double, Double) -> Void)? = nil
    ) -> Summary {
        precondition(equity.count == close.count, "equity needs one slot per session")
        return equity.withUnsafeMutableBufferPointer { buffer in
            run(
                fast: fast, slow: slow, fee: fee, initialCash: initialCash, wholeShares: wholeShares, into: buffer,
                record: record)
        }
    }

    /// The all-in book both rules trade: one asset, the engine's fill arithmetic (tested bit-identical to it).
    struct AllInBook {
        var cash: Double
        var shares = 0.0
        var trades = 0
        var fills = 0
        let fee: Double
        let wholeShares: Bool

        @inline(__always) mutating func buy(_ t: Int, price: Double, record: ((Int, Double, Double, Double) -> Void)?) {
            var size = cash / (price * (1 + fee))
            if wholeShares { size = size.rounded(.down) }
            guard size > 0 else { return }
            let cost = size * price
            cash -= cost + cost * fee
            shares = size
            trades += 1
            fills += 1
            record?(t, size, price, cost * fee)
        }

        @inline(__always) mutating func sell(_ t: Int, price: Double, record: ((Int, Double, Double, Double) -> Void)?)
        {
            let value = shares * price
            cash += value - value * fee
            record?(t, -shares, price, value * fee)
            shares = 0
            fills += 1
        }

        func summary(close: [Double], initialCash: Double) -> Summary {
            let final = close.isEmpty ? initialCash : cash + shares * close[close.count - 1]
            return Summary(finalValue: final, totalReturn: final / initialCash - 1, trades: trades, fills: fills)
        }
    }

    private func run(
        fast: Int, slow: Int, fee: Double, initialCash: Double, wholeShares: Bool,
        into equity: UnsafeMutableBufferPointer<Double>?, record: ((Int, Double, Double, Double) -> Void)?
    ) -> Summary {
        let n = close.count
        var book = AllInBook(cash: initialCash, fee: fee, wholeShares: wholeShares)
        var prev = 2  // "no previous value" during warm-up
        for t in 0..<n {
            if t >= slow - 1, fast >= 1, slow <= n {
                let s = sign(fast, slow, t)
                if prev != 2 {
                    if s > 0 && prev <= 0 && book.shares == 0 {
                        book.buy(t, price: close[t], record: record)
                    } else if s < 0 && prev >= 0 && book.shares > 0 {
                        book.sell(t, price: close[t], record: record)
                    }
                }
                prev = s
            }
            equity?[t] = book.cash + book.shares * close[t]
        }
        return book.summary(close: close, initialCash: initialCash)
    }

    /// Runs entry and exit columns (one per bar) with the same arithmetic as a (fast, slow) run: buy all-in when the
    /// entry holds and the exit does not and the book is flat, sell everything on the reverse when held.
    public func run(
        entry: [UInt8], exit: [UInt8], fee: Double, initialCash: Double, wholeShares: Bool = false,
        equity: inout [Double], record: ((Int, Double, Double, Double) -> Void)? = nil
    ) -> Summary {
        let n = close.count
        precondition(entry.count == n && exit.count == n && equity.count == n, "one value per session")
        var book = AllInBook(cash: initialCash, fee: fee, wholeShares: wholeShares)
        for t in 0..<n {
            let enter = entry[t] != 0, leave = exit[t] != 0
            if enter && !leave && book.shares == 0 {
                book.buy(t, price: close[t], record: record)
            } else if leave && !enter && book.shares > 0 {
                book.sell(t, price: close[t], record: record)
            }
            equity[t] = book.cash + book.shares * close[t]
        }
        return book.summary(close: close, initialCash: initialCash)
    }
}
