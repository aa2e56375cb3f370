import Analytics
import HindsightCore
import MarketData

/// The `synthetic` scenario generator: a one-factor market in the built-in synthetic market's mould, with its
/// parameters fitted to the data over the resampled window, so its paths are new prices rather than resampled days.
///
/// Fitted: the market's drift and volatility per regime (the regime labels the run uses), each asset's beta to the
/// market (OLS over the window), its idiosyncratic volatility and a per-regime idiosyncratic multiplier, the
/// transition matrix of the regimes, and the tail thickness of the market and idiosyncratic shocks (Student-t, ν by
/// the method of moments from the excess kurtosis: ν = 4 + 6/κ, rounded, 5…30; normal when κ ≤ 0.2). An asset has
/// no alpha of its own: on these paths a strategy's edge must come from the structure, not from the history's
/// winners. Each simulated day also draws a real day of its regime, whose open/high/low shape relative to the close,
/// volume and factor values it carries.
public struct FittedMarket: Sendable {
    public struct RegimeFit: Sendable, Equatable {
        public var label: String
        /// Daily mean and standard deviation of the market return in the regime.
        public var mean: Double
        public var volatility: Double
        /// Idiosyncratic volatility in the regime relative to each asset's own (pooled root mean square).
        public var idiosyncraticMultiplier: Double
        public var days: Int
    }

    public let chain: RegimeBootstrap
    public let regimes: [RegimeFit]
    public let betas: [Double]
    /// Each asset's daily idiosyncratic volatility (0 when the asset has too little history in the window).
    public let idiosyncraticVolatility: [Double]
    /// Student-t degrees of freedom of the market and idiosyncratic shocks (nil: normal).
    public let marketTail: Int?
    public let idiosyncraticTail: Int?
    public let assetCount: Int

    /// `market[i]` is the market's return on window day `i`; `assetReturns[a][i]` asset `a`'s (NaN without a bar
    /// that day and the day before); `labels[i]` the regime of window day `i`, named by `names`.
    public init(
        market: [Double], assetReturns: [[Double]], labels: [Int], names: [Int: String], stress: [Int: Double] = [:]
    ) {
        let n = market.count
        precondition(labels.count == n && assetReturns.allSatisfy { $0.count == n } && n >= 2)
        chain = RegimeBootstrap(labels: labels, block: 1, stress: stress)
        let states = chain.states
        let stateIndex = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1, $0) })
        var fits: [RegimeFit] = []
        var standardized = [Double](repeating: 0, count: n)
        for s in states {
            let days = (0..<n).filter { labels[$0] == s }
            let x = days.map { market[$0] }
            let mean = x.reduce(0, +) / Double(x.count)
            let vol =
                x.count > 1
                ? (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot() : 0
            for d in days { standardized[d] = vol > 0 ? (market[d] - mean) / vol : 0 }
            fits.append(
                RegimeFit(
                    label: names[s] ?? "\(s)", mean: mean, volatility: vol, idiosyncraticMultiplier: 1,
                    days: days.count))
        }
        var betas: [Double] = [], idio: [Double] = []
        var residuals: [[Double]] = []
        for r in assetReturns {
            let days = (0..<n).filter { r[$0].isFinite }
            guard days.count >= 20 else {
                betas.append(1)
                idio.append(0)
                residuals.append([])
                continue
            }
            let rm = days.map { r[$0] }.reduce(0, +) / Double(days.count)
            let mm = days.map { market[$0] }.reduce(0, +) / Double(days.count)
            var cov = 0.0, varM = 0.0
            for d in days {
                cov += (r[d] - rm) * (market[d] - mm)
                varM += (market[d] - mm) * (market[d] - mm)
            }
            let beta = varM > 0 ? cov / varM : 1
            let e = (0..<n).map { r[$0].isFinite ? r[$0] - rm - beta * (market[$0] - mm) : .nan }
            let ss = days.map { e[$0] * e[$0] }.reduce(0, +)
            betas.append(beta)
            idio.append((ss / Double(max(days.count - 2, 1))).squareRoot())
            residuals.append(e)
        }
        // The regime multiplier: root mean square of residuals scaled by each asset's own volatility.
        var sums = [Double](repeating: 0, count: states.count), counts = sums
        for (a, e) in residuals.enumerated() where !e.isEmpty && idio[a] > 0 {
            for d in 0..<n where e[d].isFinite {
                let z = e[d] / idio[a]
                sums[stateIndex[labels[d]]!] += z * z
                counts[stateIndex[labels[d]]!] += 1
            }
        }
        for i in fits.indices where counts[i] > 0 {
            fits[i].idiosyncraticMultiplier = (sums[i] / counts[i]).squareRoot()
        }
        var pooled: [Double] = []
        for (a, e) in residuals.enumerated() where !e.isEmpty && idio[a] > 0 {
            for d in 0..<n where e[d].isFinite {
                pooled.append(e[d] / (idio[a] * fits[stateIndex[labels[d]]!].idiosyncraticMultiplier))
            }
        }
        regimes = fits
        self.betas = betas
        idiosyncraticVolatility = idio
        marketTail = FittedMarket.tail(Metrics.kurtosis(standardized))
        idiosyncraticTail = FittedMarket.tail(Metrics.kurtosis(pooled))
        assetCount = assetReturns.count
    }

    /// Student-t degrees of freedom matching an excess kurtosis (method of moments), or nil for normal shocks.
    public static func tail(_ excessKurtosis: Double) -> Int? {
        guard excessKurtosis.isFinite, excessKurtosis > 0.2 else { return nil }
        return min(30, max(5, Int((4 + 6 / excessKurtosis).rounded())))
    }

    /// One path: asset-major close-to-close returns (`returns[a * n + i]`) and the real day whose shape each
    /// simulated day carries (an index into the window).
    public func path(rng: inout Xoshiro256StarStar) -> (returns: [Double], shapes: [Int]) {
        let (shapes, states) = chain.path(rng: &rng)
        let n = shapes.count
        var out = [Double](repeating: 0, count: assetCount * n)
        func shock(_ dof: Int?) -> Double { dof.map { rng.studentT(dof: $0) } ?? rng.normal() }
        for i in 0..<n {
            let fit = regimes[states[i]]
            let m = fit.mean + fit.volatility * shock(marketTail)
            for a in 0..<assetCount {
                let e = idiosyncraticVolatility[a] * fit.idiosyncraticMultiplier * shock(idiosyncraticTail)
                // A daily loss beyond 95% would make a price negative; the clamp keeps the path a price path.
                out[a * n + i] = max(-0.95, betas[a] * m + e)
            }
        }
        return (out, shapes)
    }
}
