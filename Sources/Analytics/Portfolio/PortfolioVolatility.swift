import CBLAS

extension Metrics {
    /// Sample covariance matrix (column-major k×k, ddof = 1) of `returns`, an n×k column-major matrix; BLAS `dsyrk`.
    public static func covarianceMatrix(_ returns: [Double], rows n: Int, columns k: Int) -> [Double] {
        precondition(returns.count == n * k)
        guard n > 1, k > 0 else { return [Double](repeating: .nan, count: k * k) }
        var centered = returns
        for j in 0..<k {
            var mean = 0.0
            for i in 0..<n { mean += centered[j * n + i] }
            mean /= Double(n)
            for i in 0..<n { centered[j * n + i] -= mean }
        }
        var cov = [Double](repeating: 0, count: k * k)
        cblas_dsyrk(
            CblasColMajor, CblasUpper, CblasTrans, Int32(k), Int32(n), 1 / Double(n - 1), centered, Int32(n), 0, &cov,
            Int32(k))
        for j in 0..<k { for i in (j + 1)..<k { cov[j * k + i] = cov[i * k + j] } }
        return cov
    }

    /// Ex-ante portfolio volatility per period, √(wᵀΣw), with Σ the trailing sample covariance of `returns`
    /// (n×k column-major). Computed as the sample standard deviation of X·w (one BLAS `dgemv`), which equals
    /// √(wᵀΣw) exactly in exact arithmetic and costs O(nk) instead of O(nk²). `scratch` needs n elements.
    public static func portfolioVolatility(
        returns: UnsafePointer<Double>, rows n: Int, columns k: Int,
        weights: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>
    ) -> Double {
        guard n > 1, k > 0 else { return .nan }
        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(k), 1, returns, Int32(n), weights, 1, 0, scratch, 1)
        var mean = 0.0
        for i in 0..<n { mean += scratch[i] }
        mean /= Double(n)
        var ss = 0.0
        for i in 0..<n {
            let d = scratch[i] - mean
            ss += d * d
        }
        return (ss / Double(n - 1)).squareRoot()
    }
}
