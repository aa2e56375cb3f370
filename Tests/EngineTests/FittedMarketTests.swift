import Analytics
import Backtest
import HindsightCore
import Testing

/// The `synthetic` generator's fit: parameters recovered from a market built with known ones, and paths that carry
/// them.
struct FittedMarketTests {
    static let betas = [0.5, 1.0, 1.5, 0.8]
    static let idio = [0.01, 0.02, 0.015, 0.03]

    /// Two regimes (calm and wild, persistent), a normal market, and normal residuals with known betas.
    static func history(_ n: Int) -> (market: [Double], assets: [[Double]], labels: [Int]) {
        var rng = Xoshiro256StarStar(seed: 21)
        var labels: [Int] = [], market: [Double] = []
        var s = 0
        for _ in 0..<n {
            if rng.uniform() < (s == 0 ? 0.01 : 0.04) { s = 1 - s }
            labels.append(s)
            market.append(s == 0 ? 0.0005 + 0.008 * rng.normal() : -0.001 + 0.025 * rng.normal())
        }
        let assets = betas.indices.map { a in
            market.indices.map { t in
                // A listing gap: asset 3 has no bars for its first 500 days.
                a == 3 && t < 500
                    ? Double.nan : betas[a] * market[t] + idio[a] * (labels[t] == 1 ? 1.5 : 1) * rng.normal()
            }
        }
        return (market, assets, labels)
    }

    @Test func theFitRecoversBetasVolatilitiesAndRegimeParameters() {
        let (m, r, l) = Self.history(60_000)
        let f = FittedMarket(market: m, assetReturns: r, labels: l, names: [0: "calm", 1: "wild"])
        for a in Self.betas.indices {
            #expect(abs(f.betas[a] - Self.betas[a]) < 0.02, "beta \(a): \(f.betas[a])")
        }
        // Idiosyncratic volatility is each asset's overall residual volatility; the regime multipliers split it.
        let calm = f.regimes[0], wild = f.regimes[1]
        #expect(calm.label == "calm" && wild.label == "wild")
        #expect(abs(calm.volatility / 0.008 - 1) < 0.03 && abs(wild.volatility / 0.025 - 1) < 0.03)
        #expect(abs(wild.idiosyncraticMultiplier / calm.idiosyncraticMultiplier / 1.5 - 1) < 0.03)
        // Normal shocks within each regime: no Student-t tail is fitted.
        #expect(f.marketTail == nil && f.idiosyncraticTail == nil)
        #expect(calm.days + wild.days == m.count)
    }

    @Test func theTailIsTheMethodOfMomentsStudentT() {
        #expect(FittedMarket.tail(6.0 / (6 - 4)) == 6)
        #expect(FittedMarket.tail(6.0) == 5)
        #expect(FittedMarket.tail(0.1) == nil)
        #expect(FittedMarket.tail(0.21) == 30)
    }

    @Test func pathsCarryTheFittedBetasAndAreReproducible() {
        let (m, r, l) = Self.history(20_000)
        let f = FittedMarket(market: m, assetReturns: r, labels: l, names: [0: "calm", 1: "wild"])
        var rng = Xoshiro256StarStar(seed: 4)
        let (ret, shapes) = f.path(rng: &rng)
        let n = m.count
        #expect(shapes.count == n && ret.count == n * Self.betas.count)
        func series(_ a: Int) -> [Double] { Array(ret[(a * n)..<((a + 1) * n)]) }
        func cov(_ x: [Double], _ y: [Double]) -> Double {
            let mx = x.reduce(0, +) / Double(n), my = y.reduce(0, +) / Double(n)
            return zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +) / Double(n - 1)
        }
        // Residuals are independent, so cov(r₁, r_a) / cov(r₁, r_b) = β_a / β_b whatever the market's variance.
        let one = series(1)
        for (a, b) in [(2, 0), (3, 0), (2, 3)] {
            let ratio = cov(one, series(a)) / cov(one, series(b))
            #expect(abs(ratio / (f.betas[a] / f.betas[b]) - 1) < 0.06, "β\(a)/β\(b): \(ratio)")
        }
        var again = Xoshiro256StarStar(seed: 4)
        #expect(f.path(rng: &again).returns == ret)
    }
}
