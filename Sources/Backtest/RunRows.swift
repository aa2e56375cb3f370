import Engine
import HindsightCore
import Services

/// Turns an in-memory result into the rows of `backtest_trades` and `backtest_daily_equity`.
public struct RunRows {
    let result: BacktestResult
    let inputs: MarketInputs
    let regimes: BacktestRegimeService

    public init(result: BacktestResult, inputs: MarketInputs, regimes: BacktestRegimeService) {
        self.result = result
        self.inputs = inputs
        self.regimes = regimes
    }

    public func trades() -> [TradeRow] {
        let r = result
        var out: [TradeRow] = []
        out.reserveCapacity(r.trades.count)
        for t in r.trades where t.quantity != 0 {
            let a = Int(t.asset), d = Int(t.day)
            let regime = Int(regimes.regimeOfDay[d])
            var meta: [(String, String)] = []
            if t.flags & TradeRecord.dividendReinvestment != 0 {
                meta.append(("kind", JSONText.quote("dividend_reinvestment")))
            } else if t.decision >= 0 {
                let x = r.decisions[Int(t.decision)]
                meta.append(("model", JSONText.quote(r.modelNames.joined(separator: "+"))))
                meta.append(("score", JSONText.number(x.score)))
                meta.append(("confidence", JSONText.number(x.confidence)))
                meta.append(
                    ("direction", JSONText.quote(x.direction > 0 ? "long" : (x.direction < 0 ? "short" : "flat"))))
                meta.append(("target_weight", JSONText.number(x.targetWeight)))
                meta.append(("decision_date", JSONText.quote(inputs.panel.calendar.day(at: Int(x.day)).iso)))
                meta.append(("regime", JSONText.quote(regimes.label(Int(x.regime)))))
            } else if t.reason != 0, let why = StopRules.ExitReason(rawValue: t.reason) {
                meta.append(("reason", JSONText.quote("exit: \(why.name)")))
            } else {
                meta.append(("reason", JSONText.quote("exit: no longer in the universe")))
            }
            if t.flags & TradeRecord.partial != 0 {
                meta.append(
                    (
                        "partial_fill",
                        JSONText.object([
                            ("requested", JSONText.number(abs(t.requested))),
                            ("filled", JSONText.number(abs(t.quantity))),
                            (
                                "remainder",
                                JSONText.quote(t.flags & TradeRecord.carriedRemainder != 0 ? "carried" : "cancelled")
                            ),
                        ])
                    ))
            }
            if t.flags & TradeRecord.fromCarry != 0 { meta.append(("carried_remainder", "true")) }
            if t.intradayBars > 0 {
                meta.append(
                    (
                        "intraday",
                        JSONText.object([
                            (
                                "window",
                                JSONText.quote(
                                    t.flags & TradeRecord.intradayTouch != 0 ? "first touch" : r.intradayWindow ?? "")
                            ),
                            ("first_bar", JSONText.quote(UTCTime.iso(t.firstBar))),
                            ("last_bar", JSONText.quote(UTCTime.iso(t.lastBar))), ("bars", String(t.intradayBars)),
                        ])
                    ))
            }
            if t.flags & TradeRecord.trimmedToCash != 0 { meta.append(("trimmed_to_cash", "true")) }
            out.append(
                TradeRow(
                    tradeID: out.count + 1, date: inputs.panel.calendar.day(at: d), ticker: r.tickers[a],
                    direction: t.quantity > 0 ? "buy" : "sell", size: abs(t.quantity), price: t.price,
                    commission: t.commission, slippage: t.slippage, regimeID: regime >= 0 ? regime : nil,
                    universeID: r.universeID, profileVersionID: inputs.profiles.versionID(asset: a, day: d),
                    decisionMetadataJSON: JSONText.object(meta)))
        }
        return out
    }

    /// The rows of `backtest_round_trips`, with MAE and MFE; trade ids are those `trades()` gives the fills.
    public func roundTrips() -> [RoundTripRow] {
        let r = result, cal = inputs.panel.calendar
        return r.roundTrips(panel: inputs.panel, excursions: true).enumerated().map { i, t in
            RoundTripRow(
                tripID: i + 1, ticker: r.tickers[Int(t.asset)], direction: t.direction > 0 ? "long" : "short",
                entryDate: cal.day(at: Int(t.entryDay)), exitDate: cal.day(at: Int(t.exitDay)), quantity: t.quantity,
                entryPrice: t.entryPrice, exitPrice: t.exitPrice, pnl: t.pnl, ret: t.ret, barsHeld: t.barsHeld,
                mae: t.mae, mfe: t.mfe, exitReason: t.exitReason.name, entryTradeID: t.entryFill + 1,
                exitTradeID: t.exitFill.map { $0 + 1 })
        }
    }

    public func equity() -> [EquityRow] {
        let r = result
        let nS = r.sectors.count
        var gapsByDay = [Int: [String]]()
        for g in r.gaps {
            gapsByDay[Int(g.day) - r.firstSession, default: []].append(
                (g.orderSkipped ? "order skipped: " : "held, no bar: ") + r.tickers[Int(g.asset)])
        }
        // Written field by field, keys in `JSONText.object`'s sorted order (the same text): building nine strings and
        // a sorted pair list a day cost as much as the top points' re-runs.
        var sectors: [(String, String)] = []
        return r.dates.indices.map { i in
            sectors.removeAll(keepingCapacity: true)
            for s in 0..<nS where r.sectorExposure[i * nS + s] != 0 {
                sectors.append((r.sectors[s], JSONText.number(r.sectorExposure[i * nS + s])))
            }
            var json = "{\"cash\":"
            json.reserveCapacity(240)
            JSONText.appendNumber(r.cash[i], to: &json)
            if let g = gapsByDay[i] { json += ",\"gaps\":[" + g.map(JSONText.quote).joined(separator: ",") + "]" }
            json += ",\"gross\":"
            JSONText.appendNumber(r.gross[i], to: &json)
            json += ",\"long\":"
            JSONText.appendNumber(r.long[i], to: &json)
            json += ",\"names\":" + String(r.names[i]) + ",\"net\":"
            JSONText.appendNumber(r.net[i], to: &json)
            json += ",\"regime\":"
            JSONText.appendQuoted(regimes.label(Int(r.regimeOfDay[i])), to: &json)
            json += ",\"sectors\":" + (sectors.isEmpty ? "{}" : JSONText.object(sectors)) + ",\"short\":"
            JSONText.appendNumber(r.short[i], to: &json)
            json += ",\"turnover\":"
            JSONText.appendNumber(r.turnover[i], to: &json)
            json += "}"
            return EquityRow(date: r.dates[i], equity: r.equity[i], drawdown: r.drawdown[i], exposureJSON: json)
        }
    }
}
