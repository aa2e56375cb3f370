/// Where a price row's bar fields are.
public struct BarColumns: Sendable {
    public var open, high, low, close, volume: Int
    public init(open: Int, high: Int, low: Int, close: Int, volume: Int) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}

/// The field of a row an importer refuses, and why.
public struct FieldProblem: Error, Sendable {
    public var column: Int
    public var reason: String
}

extension CSVReader {
    /// The row's open, high, low, close and volume, parsed and checked as every importer checks a bar
    /// (`PriceFileParser.barProblem`), or the first field at fault.
    @inline(__always)
    public func bar(_ c: BarColumns) -> Result<(Double, Double, Double, Double, Double), FieldProblem> {
        // The first unparsable field of the row is the one refused (no array per row: this runs per bar).
        func bad(_ column: Int) -> Result<(Double, Double, Double, Double, Double), FieldProblem> {
            .failure(FieldProblem(column: column, reason: "unparsable number"))
        }
        guard let o = double(c.open) else { return bad(c.open) }
        guard let h = double(c.high) else { return bad(c.high) }
        guard let l = double(c.low) else { return bad(c.low) }
        guard let cl = double(c.close) else { return bad(c.close) }
        guard let v = double(c.volume) else { return bad(c.volume) }
        if let (field, reason) = PriceFileParser.barProblem(
            open: o, high: h, low: l, close: cl, volume: v,
            decimals: { [c.open, c.high, c.low, c.close].map { decimals($0) }.max() ?? 0 })
        {
            return .failure(FieldProblem(column: [c.open, c.high, c.low, c.close, c.volume][field], reason: reason))
        }
        return .success((o, h, l, cl, v))
    }
}
