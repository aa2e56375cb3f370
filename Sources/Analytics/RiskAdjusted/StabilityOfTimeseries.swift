extension Metrics {
    /// R² of an OLS line through the cumulative log returns Σ log(1 + rₜ) against t (empyrical `stability_of_timeseries`).
    public static func stabilityOfTimeseries(_ r: [Double]) -> Double {
        guard r.count >= 2, !Stat.hasNaN(r) else { return .nan }
        var y = [Double](repeating: 0, count: r.count)
        var acc = 0.0
        for (i, v) in r.enumerated() {
            acc += libmLog1p(v)
            y[i] = acc
        }
        let n = Double(r.count)
        let mx = (n - 1) / 2, my = Stat.mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (i, v) in y.enumerated() {
            let dx = Double(i) - mx, dy = v - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        let rho = sxy / (sxx * syy).squareRoot()
        return rho * rho
    }
}
