extension TradeStatistics {
    /// The half-life of positions: the Kaplan–Meier median of bars held, each closed trip an exit at its bars held
    /// and each trip still open at the end censored there (counted at risk until then, never as an exit), so long
    /// holds still open do not shorten it as a median of closed trips would. NaN when fewer than half ever close.
    public static func halfLife(barsHeld: [Int], closed: [Bool]) -> Double {
        precondition(barsHeld.count == closed.count)
        let order = barsHeld.indices.sorted { barsHeld[$0] < barsHeld[$1] }
        var atRisk = Double(order.count), survival = 1.0
        var j = 0
        while j < order.count {
            let t = barsHeld[order[j]]
            var exits = 0.0, leaving = 0.0
            while j < order.count, barsHeld[order[j]] == t {
                if closed[order[j]] { exits += 1 }
                leaving += 1
                j += 1
            }
            if exits > 0 {
                survival *= 1 - exits / atRisk
                if survival <= 0.5 { return Double(t) }
            }
            atRisk -= leaving
        }
        return .nan
    }
}
