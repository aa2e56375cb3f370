import Foundation
import HindsightTestSupport
import Testing

@Suite struct AnalyticsCommandTests {
    let dir = TestPaths.makeTempDir("hindsight-analytics")

    private func write(_ name: String, _ rows: [(String, Double)], header: String = "date,value") -> String {
        let p = dir + "/" + name
        TestPaths.write(header + "\n" + rows.map { "\($0.0),\($0.1)" }.joined(separator: "\n") + "\n", to: p)
        return p
    }

    private func days(_ n: Int) -> [String] {
        (0..<n).map { i in String(format: "2021-%02d-%02d", 1 + i / 28, 1 + i % 28) }
    }

    @Test func jsonHasTheMetricNamesAndAlignsByIntersection() throws {
        let d = days(120)
        let r = write("r.csv", d.enumerated().map { ($1, 0.001 * sin(Double($0))) })
        let b = write("b.csv", d.dropFirst(10).enumerated().map { ($1, 0.0008 * cos(Double($0))) })
        let f = dir + "/f.csv"
        TestPaths.write(
            "date,mkt_rf,smb,rf\n"
                + d.enumerated().map { "\($1),\(0.1 * sin(Double($0) * 0.7)),\(0.05 * cos(Double($0) * 1.3)),0.01" }
                .joined(separator: "\n") + "\n", to: f)
        let out = try HindsightBinary.run([
            "analytics", "metrics", "--returns", r, "--benchmark", b, "--factors", f, "--factors-in-percent", "--json",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stderr.contains("aligned 110 dates"))
        #expect(out.stderr.contains("10 rows dropped"))
        let obj = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as! [String: Any]
        for key in [
            "total_return", "cagr", "annual_volatility", "sharpe_ratio", "sortino_ratio", "calmar_ratio", "omega_ratio",
            "max_drawdown", "max_drawdown_duration_days", "ulcer_index", "skew", "kurtosis", "value_at_risk",
            "conditional_value_at_risk", "tail_ratio", "common_sense_ratio", "hill_tail_index", "cramer_rate", "alpha",
            "beta",
            "up_capture", "down_capture", "tracking_error", "information_ratio", "probabilistic_sharpe_ratio",
            "deflated_sharpe_ratio", "minimum_track_record_length", "monthly_returns", "yearly_returns",
            "factor_regression",
        ] {
            #expect(obj[key] != nil, "missing \(key)")
        }
        let reg = obj["factor_regression"] as! [String: Any]
        for key in [
            "coefficients", "std_errors", "t_stats", "hac_std_errors", "hac_t_stats", "r_squared", "adj_r_squared",
            "n_obs",
        ] {
            #expect(reg[key] != nil, "missing factor_regression.\(key)")
        }
        #expect(reg["n_obs"] as? Int == 110)
        #expect((reg["coefficients"] as! [String: Any]).keys.sorted() == ["const", "mkt_rf", "smb"])
    }

    @Test func pricesAreTurnedIntoReturnsAndTextIsReadable() throws {
        let d = days(40)
        let p = write("p.csv", d.enumerated().map { ($1, 100 + Double($0)) }, header: "date,close")
        let out = try HindsightBinary.run(["analytics", "metrics", "--prices", p])
        #expect(out.status == 0)
        #expect(out.stdout.contains("sharpe_ratio"))
        #expect(out.stderr.contains("aligned 39 dates"))
    }

    @Test func badInputNamesTheFileLineAndColumn() throws {
        let p = dir + "/bad.csv"
        TestPaths.write("date,value\n2021-01-01,0.01\n2021-01-02,abc\n", to: p)
        let out = try HindsightBinary.run(["analytics", "metrics", "--returns", p])
        #expect(out.status == 1)
        #expect(out.stderr.contains("bad.csv:3") && out.stderr.contains("'abc'"))
        let both = try HindsightBinary.run(["analytics", "metrics", "--returns", p, "--prices", p])
        #expect(both.status == 1 && both.stderr.contains("exactly one"))
    }
}

@Suite struct AnalyticsMissingValueTests {
    @Test func emptyAndNaNCellsAreSkippedAndReported() throws {
        let dir = TestPaths.makeTempDir("hindsight-nan")
        let p = dir + "/r.csv"
        TestPaths.write(
            "date,value\n2021-01-04,\n2021-01-05,0.01\n2021-01-06,NaN\n2021-01-07,-0.02\n2021-01-08,0.005\n2021-01-11,0.001\n",
            to: p)
        let out = try HindsightBinary.run(["analytics", "metrics", "--returns", p, "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stderr.contains("aligned 4 dates") && out.stderr.contains("2 missing values skipped"))
        #expect(!out.stderr.contains("rows dropped"))
        let obj = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as! [String: Any]
        #expect(obj["n_obs"] as? Int == 4)
        let total = obj["total_return"] as! Double
        #expect(abs(total - (1.01 * 0.98 * 1.005 * 1.001 - 1)) < 1e-15)
    }
}

@Suite struct AnalyticsPriceColumnTests {
    @Test func pricesFilesUseTheCloseColumnNotTheFirst() throws {
        let dir = TestPaths.makeTempDir("hindsight-px")
        let p = dir + "/px.csv"
        TestPaths.write(
            "Date,Open,High,Low,Close,Volume\n2021-01-04,50,110,40,100,1\n2021-01-05,50,110,40,110,1\n2021-01-06,50,130,40,121,1\n",
            to: p)
        let out = try HindsightBinary.run(["analytics", "metrics", "--prices", p, "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as! [String: Any]
        #expect(abs((obj["total_return"] as! Double) - 0.21) < 1e-12)
    }
}

extension AnalyticsCommandTests {
    @Test func bootstrapPrintsBlockLengthsAndIntervalsReproducibly() throws {
        let path = dir + "/boot.csv"
        var text = "date,ret\n"
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        var x: UInt64 = 12345
        for i in 0..<600 {
            let day = f.string(from: Date(timeIntervalSince1970: 1_420_070_400 + Double(i) * 86_400))
            // A small LCG: any fixed series will do; the command must read it and resample it reproducibly.
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let u = Double(x >> 11) / Double(1 << 53)
            text += "\(day),\((u - 0.49) * 0.04)\n"
        }
        TestPaths.write(text, to: path)
        let a = try HindsightBinary.run([
            "analytics", "bootstrap", "--returns", path, "--paths", "300", "--seed", "4", "--json",
        ])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try HindsightBinary.run([
            "analytics", "bootstrap", "--returns", path, "--paths", "300", "--seed", "4", "--json",
        ])
        let c = try HindsightBinary.run([
            "analytics", "bootstrap", "--returns", path, "--paths", "300", "--seed", "5", "--json",
        ])
        #expect(a.stdout == b.stdout && a.stdout != c.stdout)
        let o = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as! [String: Any]
        let blocks = try #require(o["optimal_block_length"] as? [String: Double])
        #expect(blocks["stationary"]! > 0 && blocks["circular"]! > blocks["stationary"]!)
        let ci = try #require(o["confidence_intervals"] as? [String: [Double]])
        let est = try #require(o["estimates"] as? [String: Double])
        for k in ["sharpe_ratio", "cagr", "annual_volatility", "max_drawdown", "sortino_ratio", "total_return"] {
            #expect(ci[k]?.count == 2 && ci[k]![0] < ci[k]![1], "\(k)")
        }
        #expect(ci["sharpe_ratio"]![0] < est["sharpe_ratio"]! && est["sharpe_ratio"]! < ci["sharpe_ratio"]![1])
        for (flags, message) in [
            (["--block", "0"], "--block 0 is not a block length"), (["--kind", "moving"], "not a bootstrap"),
            (["--paths", "5"], "--paths must be"),
        ] {
            let bad = try HindsightBinary.run(["analytics", "bootstrap", "--returns", path] + flags)
            #expect(bad.status == 1 && bad.stderr.contains(message), "\(flags): \(bad.stderr)")
        }
    }
}
