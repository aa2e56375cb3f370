import Testing

@testable import Reports

/// The report's scan parses only the rank and filter metrics of each point; it must still learn every metric name
/// in the order a full read would, and parse the ones it was asked for exactly.
@Suite struct ReportMetricsReadTests {
    static let rows = [
        #"{"alpha":0.5,"start":"2004-08-19","sharpe_ratio":1.25,"attribution":{"x":1},"trades":12,"cagr":-0.031}"#,
        #"{"alpha":null,"sharpe_ratio":-0.75,"trades":3,"new_metric":1e-07,"cagr":0.02}"#,
    ]

    static func read(_ row: String, into r: inout FieldRow<Double>, parsing: ((Int) -> Bool)?) {
        var bytes = Array(row.utf8)
        bytes.withUnsafeMutableBufferPointer { b in
            SweepReportData.readMetrics(UnsafeBufferPointer(b), into: &r, parsing: parsing)
        }
    }

    @Test func aPartialReadRegistersEveryMetricAndParsesOnlyTheWantedOnes() {
        let fullNames = FieldNames(["sharpe_ratio"]), partNames = FieldNames(["sharpe_ratio"])
        var full = FieldRow<Double>(names: fullNames, values: [])
        var part = FieldRow<Double>(names: partNames, values: [])
        for row in Self.rows {
            Self.read(row, into: &full, parsing: nil)
            Self.read(row, into: &part, parsing: { $0 == 0 || partNames.names[$0] == "trades" })
            #expect(part["sharpe_ratio"] == full["sharpe_ratio"] && part["trades"] == full["trades"])
            #expect(part["cagr"] == nil && full["cagr"] != nil)
        }
        #expect(partNames.names == fullNames.names)
        #expect(fullNames.names == ["sharpe_ratio", "alpha", "trades", "cagr", "new_metric"])
        #expect(full["new_metric"] == 1e-07 && full["alpha"] == nil)
    }
}
