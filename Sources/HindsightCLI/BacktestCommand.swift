import Analytics
import ArgumentParser
import Backtest
import Engine
import Foundation
import HindsightCore
import Storage
import YAMLConfig

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest", abstract: "Run one backtest from a YAML config, or show a stored run.",
        subcommands: [BacktestRun.self, BacktestShow.self, BacktestPlot.self])
}

struct BacktestRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a config (see README: Run configuration) and store it.")

    @Argument(help: "The run config (YAML).") var config: String
    @Option(
        help: "Results database (default: the config's data database, or .hindsight/runs.sqlite for synthetic data).")
    var db: String?
    @Flag(help: "Print one JSON object: run_id, status, metrics (and equity with --equity).") var json = false
    @Flag(help: "Include the daily equity.") var equity = false
    @Flag(help: "Print phase timings to stderr (data load, engine, metrics and storage).") var timing = false
    @Option(help: "With --timing, run the engine this many times and report the min and median.") var `repeat`: Int = 1

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be ≥ 1") }
    }

    func run() async throws {
        try await CLI.run {
            let path = db ?? BacktestRun.resultsPath(forConfigAt: config)
            // Results go into the config's data database by default: never create that database on a read path.
            if db == nil, path != BacktestRunner.defaultResultsPath, !FileManager.default.fileExists(atPath: path) {
                throw HindsightError(
                    .fileNotFound, "\(path): the config's data database does not exist; nothing was created",
                    cause:
                        "import data first (`hindsight data import prices FILE --db \(path)`), or check `data.db` (relative to the config file)"
                )
            }
            let store = try HindsightDatabase(path: path)
            let runner = BacktestRunner(store: store)
            do {
                let cfg = try runner.loadConfig(path: config)
                var inputs: MarketInputs?
                var timingText = ""
                if timing {
                    let t0 = ContinuousClock.now
                    let loaded = try? MarketInputs.load(for: cfg)
                    let load = CLI.seconds(since: t0)
                    if let loaded, (try? RunPipeline(inputs: loaded).validate(cfg)) != nil {
                        inputs = loaded
                        let pipeline = RunPipeline(inputs: loaded, base: cfg)
                        var times: [Double] = []
                        var bars = 0
                        for _ in 0..<`repeat` {
                            let t = ContinuousClock.now
                            let r = try pipeline.simulate(cfg)
                            times.append(CLI.seconds(since: t))
                            bars = r.dates.count * max(1, BacktestRun.assetCount(cfg, panel: loaded.panel.assetCount))
                        }
                        times.sort()
                        let median = CLI.median(sorted: times)
                        timingText = String(
                            format:
                                "timing: data load %.4f s; engine min %.6f s, median %.6f s over %d runs (%d asset-sessions, %.0f bars/s at the median)",
                            load, times[0], median, times.count, bars, Double(bars) / median)
                    }
                }
                let t1 = ContinuousClock.now
                let outcome = try runner.run(cfg, inputs: inputs)
                for w in outcome.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
                if timing {
                    FileHandle.standardError.write(
                        Data(
                            (timingText
                                + String(format: "; engine + metrics + storage %.4f s\n", CLI.seconds(since: t1))).utf8)
                    )
                }
                if json {
                    var fields: [(String, JSONValue)] = [
                        ("run_id", .string(outcome.runID.rawValue)), ("status", .string("ok")),
                        ("metrics", outcome.metrics),
                        ("analysis", outcome.analysis),
                    ]
                    if equity {
                        fields.append(
                            (
                                "equity",
                                .array(
                                    zip(outcome.result.dates, outcome.result.equity).map {
                                        .object([("date", .string($0.iso)), ("equity", .number($1))])
                                    })
                            ))
                    }
                    print(JSONValue.object(fields).render())
                } else {
                    print(BacktestRun.headline(outcome, db: path))
                    if equity {
                        print("\ndate,equity")
                        for (d, e) in zip(outcome.result.dates, outcome.result.equity) { print("\(d.iso),\(e)") }
                    }
                }
            } catch let e as RunError {
                if json {
                    print(
                        JSONValue.object([
                            ("run_id", e.runID.map { .string($0.rawValue) } ?? .null),
                            ("status", .string(e.status.rawValue)),
                            ("error", .string(e.error.description)),
                        ]).render())
                }
                var err = e.error
                if let id = e.runID {
                    err.message += " (recorded as run \(id), status \(e.status.rawValue), in \(path))"
                }
                throw err
            }
        }
    }

    /// Assets the strategy trades (for bars/s): the static list, or every asset in the panel.
    static func assetCount(_ c: RunConfig, panel: Int) -> Int {
        if case .tickers(let t) = c.universe { return t.count }
        return panel
    }

    /// The config's own data database when the file names one, else the default results path.
    static func resultsPath(forConfigAt path: String) -> String {
        if let root = try? YAMLDocument.load(path: path), let db = root.child("data.db"),
            case .scalar(let s, _) = db.value
        {
            return RunConfig.resolve(s, from: db)
        }
        return BacktestRunner.defaultResultsPath
    }

    static func headline(_ o: BacktestRunner.Outcome, db: String) -> String {
        guard case .object(let m) = o.metrics else { return "" }
        let keys = [
            "strategy", "start", "end", "initial_cash", "final_equity", "total_return", "cagr", "annual_volatility",
            "sharpe_ratio",
            "sortino_ratio", "max_drawdown", "trades", "total_commission", "total_slippage", "gaps",
            "average_gross_exposure", "regime_source", "intraday_fills", "days_without_intraday", "ambiguous_bars",
        ]
        var rows: [[String]] = []
        for k in keys {
            guard let v = m.first(where: { $0.0 == k })?.1 else { continue }
            switch v {
            case .number(let d): rows.append([k, MetricsText.format(d)])
            case .integer(let i): rows.append([k, String(i)])
            case .string(let s): rows.append([k, s])
            default: break
            }
        }
        return "run \(o.runID) stored in \(db) (status ok)\n\n"
            + TextTable.render(header: ["metric", "value"], rows: rows)
            + "\n\nall metrics: hindsight backtest show \(o.runID) --db \(db)"
    }
}

struct BacktestShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a stored run: status, metrics, trades, equity.")

    @Argument(help: "The run id (printed by `backtest run`).") var runID: String
    @Option(help: "Results database.") var db: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Include the trades.") var trades = false
    @Flag(help: "Include the daily equity.") var equity = false
    @Flag(name: .customLong("round-trips"), help: "Include the round trips (entry to exit, with MAE, MFE and reason).")
    var roundTrips = false
    @Flag(help: "Include the P&L attribution (ticker, sector, decision model, regime, long/short, Brinson, factor).")
    var attribution = false
    @Option(help: "With --attribution: total, year or month.") var by: String = "total"
    @Option(
        help: "With --attribution: one dimension (ticker, sector, decision_model, regime, long_short, brinson, factor)."
    )
    var dimension: String?

    static let dimensions = ["ticker", "sector", "decision_model", "regime", "long_short", "brinson", "factor"]

    func validate() throws {
        guard ["total", "year", "month"].contains(by) else {
            throw ValidationError("--by must be total, year or month, got `\(by)`")
        }
        if let dimension, !Self.dimensions.contains(dimension) {
            throw ValidationError(
                "--dimension `\(dimension)` is not one of \(Self.dimensions.joined(separator: ", "))")
        }
        if !attribution && (by != "total" || dimension != nil) {
            throw ValidationError("--by and --dimension apply to --attribution; add --attribution")
        }
    }

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db)
            let r = try store.loadRun(id: runID)
            let trips = roundTrips ? try store.roundTrips(runID: runID) : []
            let parts = attribution ? try store.attribution(runID: runID, dimension: dimension, periods: by) : []
            let turnover = attribution && dimension == nil ? try store.turnover(runID: runID, periods: by) : []
            if json {
                var fields: [(String, JSONValue)] = [
                    ("run_id", .string(r.run.runID)), ("status", .string(r.run.status.rawValue)),
                    ("strategy", .string(r.run.strategyID)),
                    ("config_hash", .string(r.run.configHash)),
                    ("data_fingerprint", r.run.dataFingerprint.map { .string($0) } ?? .null),
                    ("seed", .integer(Int(r.run.seed))), ("code_version", .string(r.run.codeVersion)),
                    ("error", r.run.error.map { .string($0) } ?? .null), ("created_at", .string(r.run.createdAt)),
                ]
                var text = JSONValue.object(fields).render()
                // metrics_json and config_json are stored JSON: splice them in as they are.
                text.removeLast()
                text += ",\"config\":" + r.run.configJSON + ",\"metrics\":" + (r.run.metricsJSON ?? "null")
                text += ",\"analysis\":" + (r.run.analysisJSON ?? "null") + ",\"notes\":" + (r.run.notesJSON ?? "null")
                if trades {
                    text +=
                        ",\"trades\":"
                        + JSONValue.array(
                            r.trades.map { t in
                                .object([
                                    ("trade_id", .integer(t.tradeID)), ("date", .string(t.date.iso)),
                                    ("ticker", .string(t.ticker)),
                                    ("direction", .string(t.direction)), ("size", .number(t.size)),
                                    ("price", .number(t.price)),
                                    ("commission", .number(t.commission)), ("slippage", .number(t.slippage)),
                                    ("regime_id", t.regimeID.map { .integer($0) } ?? .null),
                                    ("profile_version_id", t.profileVersionID.map { .string($0) } ?? .null),
                                    ("decision_metadata", .string(t.decisionMetadataJSON)),
                                ])
                            }
                        ).render()
                }
                if roundTrips {
                    text +=
                        ",\"round_trips\":"
                        + JSONValue.array(
                            trips.map { t in
                                .object([
                                    ("trip_id", .integer(t.tripID)), ("ticker", .string(t.ticker)),
                                    ("direction", .string(t.direction)), ("entry_date", .string(t.entryDate.iso)),
                                    ("exit_date", .string(t.exitDate.iso)), ("quantity", .number(t.quantity)),
                                    ("entry_price", .number(t.entryPrice)), ("exit_price", .number(t.exitPrice)),
                                    ("pnl", .number(t.pnl)), ("return", .number(t.ret)),
                                    ("bars_held", .integer(t.barsHeld)), ("mae", .number(t.mae)),
                                    ("mfe", .number(t.mfe)), ("exit_reason", .string(t.exitReason)),
                                    ("entry_trade_id", .integer(t.entryTradeID)),
                                    ("exit_trade_id", t.exitTradeID.map { .integer($0) } ?? .null),
                                ])
                            }
                        ).render()
                }
                if equity {
                    text +=
                        ",\"equity\":["
                        + r.equity.map { e in
                            "{\"date\":\"\(e.date.iso)\",\"equity\":\(JSONText.number(e.equity)),\"drawdown\":\(JSONText.number(e.drawdown)),\"exposure\":\(e.exposureJSON)}"
                        }.joined(separator: ",") + "]"
                }
                if attribution {
                    text +=
                        ",\"attribution\":"
                        + JSONValue.array(
                            parts.map { a in
                                .object([
                                    ("dimension", .string(a.dimension)), ("key", .string(a.key)),
                                    ("period", .string(a.period)), ("pnl", .number(a.pnl)),
                                    ("exposure", .number(a.exposure)), ("contribution", .number(a.contribution)),
                                ])
                            }
                        ).render()
                    text +=
                        ",\"turnover\":"
                        + JSONValue.array(
                            turnover.map { t in
                                .object([
                                    ("period", .string(t.period)), ("component", .string(t.component)),
                                    ("traded_value", .number(t.tradedValue)), ("turnover", .number(t.turnover)),
                                ])
                            }
                        ).render()
                }
                fields.removeAll()
                print(text + "}")
                return
            }
            print(
                "run \(r.run.runID): \(r.run.status.rawValue), strategy \(r.run.strategyID), \(r.run.startDate?.iso ?? "-") .. \(r.run.endDate?.iso ?? "-")"
            )
            print(
                "config hash \(r.run.configHash), data fingerprint \(r.run.dataFingerprint ?? "-"), seed \(r.run.seed), code \(r.run.codeVersion)"
            )
            if let e = r.run.error { print("error: \(e)") }
            if let m = r.run.metricsJSON, let v = try? JSONValue.parse(m) { print("\n" + MetricsText.render(v)) }
            if let a = r.run.analysisJSON, let v = try? JSONValue.parse(a), case .object(let o) = v, !o.isEmpty {
                print("\nanalysis\n" + MetricsText.render(v))
            }
            if trades {
                print(
                    "\n"
                        + TextTable.render(
                            header: ["#", "date", "ticker", "side", "size", "price", "commission", "slippage"],
                            rows: r.trades.map {
                                [
                                    String($0.tradeID), $0.date.iso, $0.ticker, $0.direction,
                                    MetricsText.format($0.size), MetricsText.format($0.price),
                                    MetricsText.format($0.commission), MetricsText.format($0.slippage),
                                ]
                            }))
            }
            if roundTrips {
                print(
                    "\n"
                        + TextTable.render(
                            header: [
                                "#", "ticker", "side", "entry", "exit", "quantity", "entry price", "exit price", "pnl",
                                "return", "bars", "mae", "mfe", "reason",
                            ],
                            rows: trips.map {
                                [
                                    String($0.tripID), $0.ticker, $0.direction, $0.entryDate.iso, $0.exitDate.iso,
                                    MetricsText.format($0.quantity), MetricsText.format($0.entryPrice),
                                    MetricsText.format($0.exitPrice), MetricsText.format($0.pnl),
                                    MetricsText.format($0.ret), String($0.barsHeld), MetricsText.format($0.mae),
                                    MetricsText.format($0.mfe), $0.exitReason,
                                ]
                            }))
                if trips.isEmpty { print("no round trips stored for this run") }
            }
            if attribution {
                if parts.isEmpty {
                    print(
                        "\nno attribution stored for this run (it is stored for `backtest run` runs and a sweep's stored top points)"
                    )
                }
                for d in Self.dimensions {
                    let mine = parts.filter { $0.dimension == d }
                    guard !mine.isEmpty else { continue }
                    print(
                        "\nattribution by \(d)\n"
                            + TextTable.render(
                                header: ["period", "key", "pnl", "contribution", "mean exposure"],
                                rows: mine.map {
                                    [
                                        $0.period, $0.key, MetricsText.format($0.pnl),
                                        MetricsText.format($0.contribution), MetricsText.format($0.exposure),
                                    ]
                                }))
                }
                if !turnover.isEmpty {
                    print(
                        "\nturnover by component\n"
                            + TextTable.render(
                                header: ["period", "component", "traded value", "turnover"],
                                rows: turnover.map {
                                    [
                                        $0.period, $0.component, MetricsText.format($0.tradedValue),
                                        MetricsText.format($0.turnover),
                                    ]
                                }))
                }
            }
            if equity {
                print("\ndate,equity,drawdown")
                for e in r.equity { print("\(e.date.iso),\(e.equity),\(e.drawdown)") }
            }
        }
    }
}
