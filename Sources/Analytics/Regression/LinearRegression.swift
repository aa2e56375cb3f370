import CBLAS
import HindsightCore

/// An OLS fit with a constant: coefficients, classic and Newey-West (HAC) standard errors, fit statistics.
public struct RegressionResult: Sendable, Equatable {
    /// "const" followed by the regressor names.
    public var names: [String]
    public var coefficients: [Double]
    public var stdErrors: [Double]
    public var tStats: [Double]
    public var hacStdErrors: [Double]
    public var hacTStats: [Double]
    public var hacLags: Int
    public var rSquared: Double
    public var adjRSquared: Double
    public var nObs: Int
    public var residuals: [Double]
}

extension Metrics {
    /// Newey-West's default lag count ⌊4 (n/100)^(2/9)⌋.
    public static func defaultHACLags(_ n: Int) -> Int {
        Int((4 * libmPow(Double(n) / 100, 2.0 / 9.0)).rounded(.down))
    }

    /// OLS of y on a constant and the regressors, via LAPACK `dgels` (QR). Standard errors use σ² (XᵀX)⁻¹ with
    /// σ² = SSR/(n − p); HAC errors are Newey-West with Bartlett weights 1 − l/(L+1) and no small-sample
    /// correction (statsmodels `cov_type="HAC"`). Throws when n ≤ p or the design is rank deficient.
    public static func linearRegression(y: [Double], regressors: [[Double]], names: [String], hacLags: Int? = nil)
        throws -> RegressionResult
    {
        let n = y.count, k = regressors.count, p = k + 1
        guard names.count == k, regressors.allSatisfy({ $0.count == n }) else {
            throw HindsightError(.invalidArgument, "regression: every regressor needs \(n) values and a name")
        }
        guard n > p else {
            throw HindsightError(
                .invalidData, "regression: \(n) observations for \(p) parameters",
                cause: "need more observations than parameters")
        }
        guard !Stat.hasNaN(y), !regressors.contains(where: Stat.hasNaN) else {
            throw HindsightError(
                .invalidData, "regression: NaN in the inputs", cause: "align and clean the series first")
        }
        var x = [Double](repeating: 1, count: n * p)  // column-major, first column the constant
        for j in 0..<k { for i in 0..<n { x[(j + 1) * n + i] = regressors[j][i] } }
        var a = x, b = y
        let info = LAPACKE_dgels(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int32(n), Int32(p), 1, &a, Int32(n), &b, Int32(n))
        guard info == 0 else {
            throw HindsightError(
                .invalidData, "regression: LAPACK dgels failed (info \(info))",
                cause: "the regressors are collinear or constant")
        }
        let beta = Array(b[0..<p])
        // (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ from the QR factor.
        var rinv = [Double](repeating: 0, count: p * p)
        for j in 0..<p { for i in 0...j { rinv[j * p + i] = a[j * n + i] } }
        for j in 0..<p where abs(rinv[j * p + j]) < 1e-13 * max(1, abs(rinv[0])) {
            throw HindsightError(
                .invalidData, "regression: the design matrix is rank deficient",
                cause: "drop constant or duplicated regressors")
        }
        guard
            LAPACKE_dtrtri(
                LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int8(UInt8(ascii: "N")), Int32(p), &rinv, Int32(p)) == 0
        else {
            throw HindsightError(.invalidData, "regression: the design matrix is singular")
        }
        var xtxInv = [Double](repeating: 0, count: p * p)
        cblas_dgemm(
            CblasColMajor, CblasNoTrans, CblasTrans, Int32(p), Int32(p), Int32(p), 1, rinv, Int32(p), rinv, Int32(p), 0,
            &xtxInv, Int32(p))
        var fitted = [Double](repeating: 0, count: n)
        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(p), 1, x, Int32(n), beta, 1, 0, &fitted, 1)
        let u = (0..<n).map { y[$0] - fitted[$0] }
        var ssr = 0.0
        for v in u { ssr += v * v }
        let my = Stat.mean(y)
        var sst = 0.0
        for v in y { sst += (v - my) * (v - my) }
        let sigma2 = ssr / Double(n - p)
        let se = (0..<p).map { (sigma2 * xtxInv[$0 * p + $0]).squareRoot() }

        // Newey-West meat S = Σ_l w_l Σ_t (xₜuₜ)(x_{t−l}u_{t−l})ᵀ (+ transpose for l > 0).
        let lags = hacLags ?? defaultHACLags(n)
        var z = x
        for j in 0..<p { for i in 0..<n { z[j * n + i] *= u[i] } }
        var s = [Double](repeating: 0, count: p * p)
        cblas_dgemm(
            CblasColMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(p), Int32(n), 1, z, Int32(n), z, Int32(n), 0, &s,
            Int32(p))
        if lags > 0 {
            var g = [Double](repeating: 0, count: p * p)
            for l in 1...min(lags, n - 1) {
                let w = 1 - Double(l) / Double(lags + 1)
                z.withUnsafeBufferPointer { zp in
                    cblas_dgemm(
                        CblasColMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(p), Int32(n - l), 1,
                        zp.baseAddress! + l, Int32(n), zp.baseAddress!, Int32(n), 0, &g, Int32(p))
                }
                for i in 0..<p { for j in 0..<p { s[j * p + i] += w * (g[j * p + i] + g[i * p + j]) } }
            }
        }
        var tmp = [Double](repeating: 0, count: p * p), v = [Double](repeating: 0, count: p * p)
        cblas_dgemm(
            CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(p), Int32(p), Int32(p), 1, xtxInv, Int32(p), s, Int32(p),
            0, &tmp, Int32(p))
        cblas_dgemm(
            CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(p), Int32(p), Int32(p), 1, tmp, Int32(p), xtxInv, Int32(p),
            0, &v, Int32(p))
        let hacSE = (0..<p).map { v[$0 * p + $0].squareRoot() }
        let r2 = sst > 0 ? 1 - ssr / sst : .nan
        return RegressionResult(
            names: ["const"] + names, coefficients: beta, stdErrors: se, tStats: zip(beta, se).map { $0 / $1 },
            hacStdErrors: hacSE, hacTStats: zip(beta, hacSE).map { $0 / $1 }, hacLags: lags,
            rSquared: r2, adjRSquared: 1 - (1 - r2) * Double(n - 1) / Double(n - p), nObs: n, residuals: u)
    }

    /// OLS over trailing windows; element t holds the fit on periods t−w+1 … t (nil before the first full window).
    public static func rollingRegression(y: [Double], regressors: [[Double]], names: [String], window: Int)
        -> [RegressionResult?]
    {
        var out = [RegressionResult?](repeating: nil, count: y.count)
        guard window > regressors.count + 1, y.count >= window else { return out }
        for t in (window - 1)..<y.count {
            let lo = t - window + 1
            out[t] = try? linearRegression(
                y: Array(y[lo...t]), regressors: regressors.map { Array($0[lo...t]) }, names: names, hacLags: 0)
        }
        return out
    }
}
