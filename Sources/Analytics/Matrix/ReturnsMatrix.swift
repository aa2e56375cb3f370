import CBLAS
import HindsightCore

/// Returns of many runs over the same periods: `rows` periods × `columns` runs, column-major
/// (each run's series is contiguous), one label per column.
public struct ReturnsMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    public private(set) var values: [Double]
    public let labels: [String]

    public init(rows: Int, columns: Int, values: [Double], labels: [String]? = nil) throws {
        guard values.count == rows * columns else {
            throw HindsightError(.invalidArgument, "returns matrix: \(values.count) values for \(rows) × \(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
        self.labels = labels ?? (0..<columns).map { "run\($0)" }
    }

    /// Builds from equal-length series.
    public init(series: [[Double]], labels: [String]? = nil) throws {
        let r = series.first?.count ?? 0
        guard series.allSatisfy({ $0.count == r }) else {
            throw HindsightError(.invalidArgument, "returns matrix: series of unequal length")
        }
        try self.init(rows: r, columns: series.count, values: series.flatMap { $0 }, labels: labels)
    }

    public func column(_ j: Int) -> [Double] { Array(values[(j * rows)..<((j + 1) * rows)]) }

    /// Column means (BLAS dgemv with a ones vector).
    public func means() -> [Double] {
        guard rows > 0 else { return [Double](repeating: .nan, count: columns) }
        let ones = [Double](repeating: 1 / Double(rows), count: rows)
        var out = [Double](repeating: 0, count: columns)
        cblas_dgemv(CblasColMajor, CblasTrans, Int32(rows), Int32(columns), 1, values, Int32(rows), ones, 1, 0, &out, 1)
        return out
    }

    /// Covariance between runs (ddof = 1), columns × columns, via `dsyrk` on the centred matrix.
    public func covariance() -> [Double] {
        guard rows >= 2 else { return [Double](repeating: .nan, count: columns * columns) }
        let mu = means()
        var centred = values
        for j in 0..<columns { for i in 0..<rows { centred[j * rows + i] -= mu[j] } }
        var c = [Double](repeating: 0, count: columns * columns)
        cblas_dsyrk(
            CblasColMajor, CblasUpper, CblasTrans, Int32(columns), Int32(rows), 1 / Double(rows - 1), centred,
            Int32(rows), 0, &c, Int32(columns))
        for j in 0..<columns { for i in 0..<j { c[i * columns + j] = c[j * columns + i] } }
        return c
    }

    /// Column standard deviations (ddof = 1).
    public func standardDeviations() -> [Double] {
        guard rows >= 2 else { return [Double](repeating: .nan, count: columns) }
        let mu = means()
        return (0..<columns).map { j in
            var s = 0.0
            let base = j * rows
            for i in 0..<rows {
                let d = values[base + i] - mu[j]
                s += d * d
            }
            return (s / Double(rows - 1)).squareRoot()
        }
    }

    /// Correlation between runs, columns × columns; NaN rows/columns for constant runs.
    public func correlation() -> [Double] {
        var c = covariance()
        let sd = (0..<columns).map { c[$0 * columns + $0].squareRoot() }
        for j in 0..<columns { for i in 0..<columns { c[j * columns + i] /= sd[i] * sd[j] } }
        return c
    }

    /// Annualised Sharpe ratio of every column.
    public func sharpeRatios(periodsPerYear: Double = Metrics.defaultPeriodsPerYear) -> [Double] {
        (0..<columns).map { Metrics.sharpeRatio(column($0), periodsPerYear: periodsPerYear) }
    }

    /// Sums (or sums of squares) of each column over row blocks [bounds[b], bounds[b+1]), as a blocks × columns array.
    func blockSums(bounds: [Int], squared: Bool) -> [Double] {
        let blocks = bounds.count - 1
        var out = [Double](repeating: 0, count: blocks * columns)
        values.withUnsafeBufferPointer { v in
            for j in 0..<columns {
                let base = j * rows
                for b in 0..<blocks {
                    var s = 0.0
                    if squared {
                        for i in bounds[b]..<bounds[b + 1] {
                            let x = v[base + i]
                            s += x * x
                        }
                    } else {
                        for i in bounds[b]..<bounds[b + 1] { s += v[base + i] }
                    }
                    out[b * columns + j] = s
                }
            }
        }
        return out
    }
}
