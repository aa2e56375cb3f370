import Engine
import HindsightCore

/// Brinson–Fachler by sector against the universe's equal-weight sector weights (the universe in force at the
/// previous close, names with a bar on both closes; a config's benchmark ticker has no sectors to compare with).
/// Each session's gross P&L of the positions held at the previous close is split, in units of that close's
/// equity E, into `benchmark` (E·R_b) and per sector s:
/// allocation (w_s − b_s)(r_b,s − R_b), selection b_s(r_s − r_b,s), interaction (w_s − b_s)(r_s − r_b,s),
/// where w_s is the book's net weight in s at the previous close, r_s its gross return over the session, b_s the
/// sector's share of the universe's names, r_b,s their mean total return and R_b = Σ b_s r_b,s. Cash is a sector
/// of weight 1 − Σ w_s that earns nothing gross (interest is `cash_interest`): its effect is allocation −w_cash·R_b.
/// A sector the universe lacks has r_b,s = R_b; one with no weight (longs and shorts that cancel) puts its whole
/// active P&L in interaction. P&L of positions not held at the previous close (bought today) is `trading`.
/// Keys: `benchmark`, `allocation:<sector>`, `selection:<sector>`, `interaction:<sector>`, `allocation:cash`,
/// `trading`, then the cost keys, so the dimension adds up to the run's P&L like every other.
extension RunAttribution {
    /// The effects of one period for one sector, as fractions of the period's starting value.
    public struct BrinsonEffect: Sendable, Equatable {
        public var allocation: Double
        public var selection: Double
        public var interaction: Double
    }

    /// Brinson–Fachler effects of one sector from its portfolio contribution `c` (= w·r, so a zero weight is
    /// allowed), weights and the benchmark's sector and total returns.
    public static func brinsonFachler(
        contribution c: Double, weight w: Double, benchmarkWeight b: Double, benchmarkSectorReturn rb: Double,
        benchmarkReturn total: Double
    ) -> BrinsonEffect {
        let allocation = (w - b) * (rb - total)
        let active = c - w * rb
        guard w != 0 else { return BrinsonEffect(allocation: allocation, selection: 0, interaction: active) }
        let selection = active * b / w
        return BrinsonEffect(allocation: allocation, selection: selection, interaction: active - selection)
    }

    /// Held value at the previous close and gross P&L, per session and sector, of the positions held then.
    struct SectorBook {
        let sectors: Int
        var held: [Double]
        var gross: [Double]
        var trading: [Double]
        init(n: Int, sectors: Int) {
            self.sectors = sectors
            held = [Double](repeating: 0, count: n * sectors)
            gross = held
            trading = [Double](repeating: 0, count: n)
        }
    }

    /// The `brinson` dimension's daily P&L per key (see the extension's comment).
    static func brinsonDaily(
        book: SectorBook, result r: BacktestResult, inputs: MarketInputs, index: PeriodIndex
    ) -> Daily {
        let n = r.dates.count, nS = book.sectors, first = r.firstSession
        let panel = inputs.panel, profiles = inputs.profiles, nD = panel.dayCount
        var out = Daily(index: index)
        let snapshots = r.universe.sorted { $0.asOf < $1.asOf }
        let snapshotMembers = snapshots.map { $0.members.compactMap { panel.asset(ticker: $0.ticker) } }
        let snapshotDays = snapshots.map { panel.calendar.index(of: $0.asOf) ?? Int.max }
        var count = [Double](repeating: 0, count: nS), sum = count, rb = count
        var snapshot = -1
        let trading = out.key("trading"), benchmark = out.key("benchmark"), cash = out.key("allocation:cash")
        // Per sector: its allocation, selection and interaction keys, made on first use.
        var effectIDs = [[Int]?](repeating: nil, count: nS)
        for i in 0..<n {
            out.add(trading, i, pnl: book.trading[i])
            let d = first + i
            // The first session has no previous close: all of it is trading.
            guard i > 0 else { continue }
            // The universe in force at the previous close.
            while snapshot + 1 < snapshotDays.count, snapshotDays[snapshot + 1] <= d - 1 { snapshot += 1 }
            for s in 0..<nS {
                count[s] = 0
                sum[s] = 0
            }
            var members = 0.0
            if snapshot >= 0 {
                for a in snapshotMembers[snapshot] {
                    let k = a * nD + d
                    guard panel.valid[k], panel.valid[k - 1], panel.adjustedClose[k - 1] > 0 else { continue }
                    let s = profiles.sectorIndex(asset: a, day: d - 1)
                    count[s] += 1
                    sum[s] += panel.adjustedClose[k] / panel.adjustedClose[k - 1] - 1
                    members += 1
                }
            }
            for s in 0..<nS { rb[s] = 0 }
            var rB = 0.0
            for s in 0..<nS where count[s] > 0 {
                rb[s] = sum[s] / count[s]
                rB += count[s] / members * rb[s]
            }
            let e = r.equity[i - 1]
            guard e != 0 else {
                out.add(trading, i, pnl: (0..<nS).reduce(0.0) { $0 + book.gross[i * nS + $1] })
                continue
            }
            out.add(benchmark, i, pnl: e * rB, share: members > 0 ? 1 : 0)
            var invested = 0.0
            for s in 0..<nS {
                let g = book.gross[i * nS + s], h = book.held[i * nS + s]
                let b = members > 0 ? count[s] / members : 0
                guard g != 0 || h != 0 || b != 0 else { continue }
                let w = h / e
                invested += w
                let x = brinsonFachler(
                    contribution: g / e, weight: w, benchmarkWeight: b,
                    benchmarkSectorReturn: count[s] > 0 ? rb[s] : rB,
                    benchmarkReturn: rB)
                if effectIDs[s] == nil {
                    let name = profiles.sectorName(s)
                    effectIDs[s] = ["allocation:", "selection:", "interaction:"].map { out.key($0 + name) }
                }
                let id = effectIDs[s]!
                // The rows' exposure: the mean active weight (allocation, interaction) or benchmark weight.
                out.add(id[0], i, pnl: e * x.allocation, share: w - b)
                out.add(id[1], i, pnl: e * x.selection, share: b)
                out.add(id[2], i, pnl: e * x.interaction, share: w - b)
            }
            out.add(cash, i, pnl: -e * (1 - invested) * rB, share: 1 - invested)
        }
        return out
    }
}
