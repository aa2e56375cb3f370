/// Statistics of closed round trips: P&L per trip and bars held.
///
/// Win rate counts trips with P&L > 0 over all closed trips; average win and loss are the means of the positive
/// and negative P&Ls; expectancy is the mean P&L; profit factor is gross wins over gross losses; SQN is Van Tharp's
/// √n · mean / standard deviation (sample, n − 1), as backtesting.py computes it.
public struct TradeStatistics: Sendable, Equatable {
    public var count: Int
    public var winRate: Double
    public var averageWin: Double
    public var averageLoss: Double
    public var expectancy: Double
    public var profitFactor: Double
    public var averageBarsHeld: Double
    public var medianBarsHeld: Double
    public var sqn: Double

    public init(pnl: [Double], barsHeld: [Int]) {
        precondition(pnl.count == barsHeld.count)
        let n = pnl.count
        count = n
        var wins = 0, losses = 0
        var won = 0.0, lost = 0.0, total = 0.0
        for p in pnl {
            total += p
            if p > 0 {
                wins += 1
                won += p
            } else if p < 0 {
                losses += 1
                lost += p
            }
        }
        winRate = n > 0 ? Double(wins) / Double(n) : .nan
        averageWin = wins > 0 ? won / Double(wins) : .nan
        averageLoss = losses > 0 ? lost / Double(losses) : .nan
        let mean = n > 0 ? total / Double(n) : .nan
        expectancy = mean
        profitFactor = lost < 0 ? won / -lost : (won > 0 ? .infinity : .nan)
        averageBarsHeld = n > 0 ? Double(barsHeld.reduce(0, +)) / Double(n) : .nan
        let sorted = barsHeld.sorted()
        medianBarsHeld =
            n == 0 ? .nan : (n % 2 == 1 ? Double(sorted[n / 2]) : Double(sorted[n / 2 - 1] + sorted[n / 2]) / 2)
        if n > 1 {
            var ss = 0.0
            for p in pnl { ss += (p - mean) * (p - mean) }
            let sd = (ss / Double(n - 1)).squareRoot()
            sqn = sd > 0 ? Double(n).squareRoot() * mean / sd : .nan
        } else {
            sqn = .nan
        }
    }
}
