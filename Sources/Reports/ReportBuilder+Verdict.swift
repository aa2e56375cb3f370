import Analytics
import Foundation
import HindsightCore

/// The verdict at the top of the report: PBO, DSR, walk-forward and the benchmark read together.
extension ReportBuilder {
    /// The walk-forward's stitched out-of-sample returns and the benchmark's over the same sessions.
    struct OutOfSample {
        var dates: [TradingDay]
        var returns: [Double]
        var summary: Metrics.SeriesSummary
        var benchmarkReturns: [Double]?
        var benchmark: Metrics.SeriesSummary?
        var efficiency: Double?
    }

    func walkForwardOutOfSample() -> OutOfSample? {
        guard let text = try? store.metadataValue("walk_forward:" + data.sweep.sweepID),
            let o = try? JSONValue.parse(text),
            case .array(let ds)? = o["dates"], case .array(let rs)? = o["returns"], ds.count == rs.count, ds.count > 1
        else { return nil }
        let dates = ds.compactMap { v -> TradingDay? in
            if case .string(let s) = v { return TradingDay(iso: s) }
            return nil
        }
        let returns = rs.map { v -> Double in
            switch v {
            case .number(let x): x
            case .integer(let n): Double(n)
            default: 0
            }
        }
        guard dates.count == returns.count else { return nil }
        func double(_ v: JSONValue?) -> Double? {
            if case .number(let x)? = v { return x }
            if case .integer(let n)? = v { return Double(n) }
            return nil
        }
        let isMean = double(o["mean_in_sample"]), oosMean = double(o["mean_out_of_sample"])
        let b = benchmark?.returns(on: dates)
        return OutOfSample(
            dates: dates, returns: returns, summary: Metrics.summary(returns), benchmarkReturns: b,
            benchmark: b.map { Metrics.summary($0) },
            efficiency: isMean.flatMap { i in oosMean.map { i != 0 ? $0 / i : .nan } })
    }

    func verdict(_ over: Overfitting, details: [Detail]) throws -> String {
        let d = data
        guard let best = d.ranked.first else { return "" }
        var md = "## Verdict\n\n"
        var lines: [String] = []
        // Against the benchmark: out of sample when there is a walk-forward, else the best point in sample.
        var beats: Beat?
        var inSampleOnly = false
        let oos = walkForwardOutOfSample()
        if let b = benchmark {
            if let o = oos, let bs = o.benchmark {
                let sr = o.summary.values[.sharpeRatio], bsr = bs.values[.sharpeRatio]
                beats = Beat(sr - bsr, test: o.benchmarkReturns.map { Metrics.sharpeDifferenceTest(o.returns, $0) })
                var line =
                    "**Against the benchmark.** Out of sample (the walk-forward's stitched test windows, \(o.dates.count) sessions) the chosen configs made Sharpe \(num(sr, 3)), CAGR \(pct(o.summary.values[.cagr])), max drawdown \(pct(o.summary.values[.maxDrawdown])); "
                line +=
                    "`\(b.ticker)` over the same sessions made Sharpe \(num(bsr, 3)), CAGR \(pct(bs.values[.cagr])), max drawdown \(pct(bs.values[.maxDrawdown])). "
                switch beats! {
                case .beats: line += "The family beats the benchmark out of sample."
                case .notSignificantly: line += "The family's edge over the benchmark out of sample is not significant."
                case .loses: line += "The family does **not** beat the benchmark out of sample."
                }
                lines.append(line + significance(o.returns, o.benchmarkReturns))
            } else if let det = details.first, let bs = benchmarkSummary(det.dates) {
                let sr = best.metrics["sharpe_ratio"] ?? .nan, bsr = bs.values[.sharpeRatio]
                let br = b.returns(on: det.dates)
                beats = Beat(sr - bsr, test: br.map { Metrics.sharpeDifferenceTest(det.returns, $0) })
                inSampleOnly = true
                var line =
                    "**Against the benchmark.** In sample, the best of \(d.trials) trials made Sharpe \(num(sr, 3)), CAGR \(pct(best.metrics["cagr"])), max drawdown \(pct(best.metrics["max_drawdown"])); "
                line +=
                    "`\(b.ticker)` over the same sessions made Sharpe \(num(bsr, 3)), CAGR \(pct(bs.values[.cagr])), max drawdown \(pct(bs.values[.maxDrawdown])). "
                line +=
                    beats == .loses
                    ? "Even the in-sample best does **not** beat the benchmark."
                    : "The best point beats it in sample, but it is the best of \(d.trials) trials and without a walk-forward there is no out-of-sample check (add `walk_forward:`)."
                lines.append(line + significance(det.returns, br))
            }
        } else {
            lines.append(
                "**Against the benchmark.** Not judged: the base config has no `benchmark:` (add one, e.g. `benchmark: SPY`)."
            )
        }
        // Whether the choice of parameters matters: PBO says whether the ranking carries over, DSR whether the best
        // Sharpe survives the number of trials, walk-forward whether the in-sample edge persists.
        let dsr = d.deflated[best.id].flatMap { $0.isFinite ? $0 : nil }
        let efficiency = oos?.efficiency.flatMap { $0.isFinite ? $0 : nil }
        var clauses: [String] = []
        if let p = over.pbo {
            clauses.append(
                p < 0.3
                    ? "the in-sample ranking carries over out of sample (PBO \(num(p, 2)))"
                    : p < 0.5
                        ? "the ranking carries little information (PBO \(num(p, 2)))"
                        : "the ranking is noise: the in-sample best does no better than a random pick out of sample (PBO \(num(p, 2)))"
            )
        }
        if let v = dsr {
            clauses.append(
                v > 0.95
                    ? "the best Sharpe ratio survives \(d.trials) trials (DSR \(num(v, 2)))"
                    : "the best Sharpe ratio is not significant after \(d.trials) trials (DSR \(num(v, 2)))")
        }
        if let cv = crossValidation(), cv.median.isFinite {
            clauses.append(
                "across \(cv.splits.count) cpcv splits the in-sample choice makes a median out-of-sample Sharpe of \(num(cv.median, 2)) (negative in \(pct(cv.negative)) of them, below the median point in \(pct(cv.belowMedian)))"
            )
        }
        if let e = efficiency {
            clauses.append(
                e >= 0.5
                    ? "the walk-forward keeps \(num(e * 100, 2))% of the in-sample edge"
                    : "the walk-forward keeps only \(num(e * 100, 2))% of the in-sample edge")
        }
        let informative = over.pbo.map { $0 < 0.3 }, significant = dsr.map { $0 > 0.95 }
        let answer: String
        switch (informative, significant) {
        case (true?, true?), (nil, true?): answer = "Yes"
        case (true?, _), (_, true?): answer = "Partly"
        case (nil, nil): answer = "Not judged"
        default: answer = "Little"
        }
        var choice = answer + (clauses.isEmpty ? ": too few stored series for PBO and no deflated Sharpe ratio." : ": ")
        if !clauses.isEmpty { choice += clauses.joined(separator: "; ") + "." }
        if informative == false, (efficiency ?? 0) >= 0.5 {
            choice +=
                " The walk-forward's out-of-sample edge belongs to the family, not to the choice: the best point is no better a pick than its neighbours, so choose from a robust region."
        }
        lines.append("**Does the choice of parameters matter?** \(choice)")
        let look = lookAheadResults()
        if !look.isEmpty {
            if let bad = look.first(where: { $0.passed != true }) {
                lines.append(
                    "**Look-ahead.** The check **failed** for `\(bad.point)`: \(bad.difference ?? "not run"). Numbers that read the future are not evidence; fix this before reading the rest."
                )
            } else {
                lines.append(
                    "**Look-ahead.** Passed: the top \(look.count) points decide identically on data cut after \(look[0].cuts.joined(separator: ", "))."
                )
            }
        }
        let summary: String
        switch beats {
        case .beats: summary = "beats the benchmark"
        case .notSignificantly: summary = "does not beat the benchmark significantly"
        case .loses: summary = "does not beat the benchmark"
        case nil: summary = "has no benchmark to beat"
        }
        let matters =
            answer == "Yes"
            ? "matters"
            : answer == "Partly" ? "matters somewhat" : answer == "Little" ? "matters little" : "is not judged"
        md +=
            "**The family \(summary)\(inSampleOnly && beats != .loses ? " (in sample only)" : ""); the choice of parameters \(matters).**\n\n"
        md += lines.joined(separator: "\n\n") + "\n\n"
        return md
    }

    /// The stored look-ahead check of the top points: (point, passed, cuts, compared, first difference).
    func lookAheadResults() -> [(point: String, passed: Bool?, cuts: [String], compared: Int, difference: String?)] {
        guard let text = try? store.metadataValue("look_ahead:" + data.sweep.sweepID),
            case .array(let rows)? = try? JSONValue.parse(text)
        else { return [] }
        return rows.compactMap { r in
            guard case .string(let p)? = r["point"] else { return nil }
            var passed: Bool?
            if case .bool(let b)? = r["passed"] { passed = b }
            var cuts: [String] = []
            if case .array(let c)? = r["cuts"] {
                cuts = c.compactMap { if case .string(let s) = $0 { s } else { nil } }
            }
            var compared = 0
            if case .integer(let n)? = r["compared"] { compared = n }
            var diff: String?
            if case .string(let d)? = r["first_difference"] { diff = d }
            if case .string(let e)? = r["error"] { diff = "the check could not run: " + e }
            return (p, passed, cuts, compared, diff)
        }
    }

    func lookAheadSection() -> String {
        let rows = lookAheadResults()
        guard !rows.isEmpty else { return "" }
        var md = "## Look-ahead check\n\n"
        md +=
            "Each of the top \(rows.count) points ran again on the data cut after \(rows[0].cuts.joined(separator: ", ")) (nothing later in the inputs); every decision and fill up to each cut must match the full run's.\n\n"
        md += ReportBuilder.table(
            ["point", "result", "decisions and fills compared", "first difference"],
            rows.map { r in
                [
                    "`\(r.point)`", r.passed == true ? "passed" : r.passed == false ? "**FAILED**" : "not run",
                    "\(r.compared)", r.difference ?? "–",
                ]
            })
        return md + "\n"
    }

    /// How a family compares with its benchmark: a higher Sharpe ratio whose difference is significant at 5%, a
    /// higher one that is not, or a lower one.
    enum Beat {
        case beats, notSignificantly, loses
        init(_ difference: Double, test: Metrics.SharpeDifference?) {
            if !(difference > 0) {
                self = .loses
            } else if let t = test, t.pValue < 0.05 {
                self = .beats
            } else {
                self = .notSignificantly
            }
        }
    }

    /// The Sharpe-ratio difference to the benchmark with its HAC standard error, in words (empty without a series).
    func significance(_ r: [Double], _ b: [Double]?) -> String {
        guard let b, b.count == r.count, r.count > 30 else { return "" }
        let t = Metrics.sharpeDifferenceTest(r, b)
        guard t.difference.isFinite, t.pValue.isFinite else { return "" }
        return
            " The difference in annualised Sharpe ratio is \(num(t.difference * 252.0.squareRoot(), 3)) ± \(num(t.standardError * 252.0.squareRoot(), 3)) (HAC, Ledoit–Wolf), p = \(num(t.pValue, 2))"
            + (t.pValue < 0.05 ? ": significant at 5%." : ": not significant at 5%.")
    }
}
