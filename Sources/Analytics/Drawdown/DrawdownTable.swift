/// One drawdown spell: from a peak to its lowest point and to the recovery of the peak (if any).
public struct DrawdownSpell: Sendable, Equatable, Codable {
    /// Index of the last period at the peak (−1 = the starting wealth before the first period).
    public var peak: Int
    public var valley: Int
    /// First period back at or above the peak; nil when not recovered by the end.
    public var recovery: Int?
    /// Depth as a negative fraction.
    public var depth: Double
    /// Periods from the peak to the recovery (or to the end when not recovered).
    public var length: Int
}

extension Metrics {
    /// All drawdown spells, deepest first; `top` keeps the N deepest (pyfolio `gen_drawdown_table` semantics,
    /// with the peak anchored at the starting wealth of 1).
    public static func drawdownTable(_ r: [Double], top: Int = 5) -> [DrawdownSpell] {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return [] }
        var spells: [DrawdownSpell] = []
        var wealth = 1.0, peak = 1.0, peakIndex = -1
        var current: DrawdownSpell?
        for (i, v) in r.enumerated() {
            wealth *= 1 + v
            if wealth >= peak {
                if var s = current {
                    s.recovery = i
                    s.length = i - s.peak
                    spells.append(s)
                    current = nil
                }
                peak = wealth
                peakIndex = i
            } else {
                let dd = wealth / peak - 1
                if current == nil {
                    current = DrawdownSpell(peak: peakIndex, valley: i, recovery: nil, depth: dd, length: 0)
                }
                if dd < current!.depth {
                    current!.depth = dd
                    current!.valley = i
                }
            }
        }
        if var s = current {
            s.length = r.count - 1 - s.peak
            spells.append(s)
        }
        spells.sort { $0.depth != $1.depth ? $0.depth < $1.depth : $0.peak < $1.peak }
        return Array(spells.prefix(top))
    }

    /// Longest time under water, in periods: from a peak to its recovery, or to the end when not recovered.
    public static func maxDrawdownDuration(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        return Double(drawdownTable(r, top: Int.max).map(\.length).max() ?? 0)
    }
}
