#!/usr/bin/env python3
"""Reference results for `stops:`, from vectorbt 1.2.0 `Portfolio.from_signals` with open/high/low given.

Creates .venv-fixtures (if missing) with vectorbt 1.2.0 and ta-lib 0.8.2, then writes
Tests/EngineTests/Fixtures/vectorbt-stops-us.csv: SMA-crossover entries and exits (TA-Lib's SMA) on ten stocks of
../shared/data/us-equities (full history, each stock its own column with an equal share of 100,000 and no cash
sharing, fill at the close, fees 0.1%, fractional sizes), with a stop-loss x take-profit grid (`sl_stop`,
`tp_stop`) and a trailing-stop grid (`sl_stop` with `sl_trail=True`). Per point: the final value summed over the
columns, the number of orders, the number of closed trades, and each column's final value.

It also writes Tests/EngineTests/Fixtures/backtestingpy-stops-goog.csv and backtestingpy-stops-goog-trades.csv:
the same SMA crossovers on ../shared/data/goog-2004-2013.csv in backtesting.py 0.6.6 (trade_on_close=False: fills
at the next open; whole shares; commission 0.1% on entry and exit; `buy()` when flat, `position.close()` on the
opposite cross), with stop-loss and take-profit levels set from each trade's fill price in the `next()` after the
fill (so they are checked from the bar after the entry, as Hindsight's are): the daily equity of each point, and
its trade list (entry and exit bar, prices, size).
"""
import csv, gzip, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "vectorbt-stops-us.csv")
PRICES = os.path.join(os.path.dirname(ROOT), "shared", "data", "us-equities", "prices.csv.gz")
TICKERS = ["AAPL", "MSFT", "JPM", "XOM", "JNJ", "PG", "KO", "WMT", "INTC", "CSCO"]

if sys.prefix != VENV:
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "vectorbt==1.2.0", "ta-lib==0.8.2", "backtesting==0.6.6"])
    os.execv(py, [py, os.path.abspath(__file__)])

import warnings  # noqa: E402
warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import talib  # noqa: E402
import vectorbt as vbt  # noqa: E402


def grids():
    for fast, slow in ((10, 50), (20, 100)):
        for sl in (0.03, 0.05, 0.08):
            for tp in (None, 0.10, 0.20):
                yield fast, slow, {"stop_loss": sl, "take_profit": tp}
        for trail in (0.05, 0.10, 0.15):
            yield fast, slow, {"trailing_stop": trail}


def main():
    rows = {}
    with gzip.open(PRICES, "rt") as f:
        for r in csv.DictReader(f):
            if r["ticker"] in TICKERS:
                rows.setdefault(r["ticker"], {})[r["date"]] = tuple(float(r[k]) for k in ("open", "high", "low", "close"))
    dates = sorted(set.intersection(*[set(v) for v in rows.values()]))
    assert all(len(rows[t]) == len(dates) for t in TICKERS), "every ticker must have a bar on every date"
    idx = pd.to_datetime(dates)
    frame = lambda j: pd.DataFrame({t: [rows[t][d][j] for d in dates] for t in TICKERS}, index=idx)
    open_, high, low, close = frame(0), frame(1), frame(2), frame(3)

    def cross(a, b):
        prev_a, prev_b = np.roll(a, 1), np.roll(b, 1)
        out = (a > b) & (prev_a <= prev_b)
        out[0] = False
        return out

    with open(OUT, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["point", "final_value", "orders", "trades"] + TICKERS)
        for fast, slow, stops in grids():
            sf = {t: talib.SMA(close[t].values, fast) for t in TICKERS}
            ss = {t: talib.SMA(close[t].values, slow) for t in TICKERS}
            ent = pd.DataFrame({t: cross(sf[t], ss[t]) for t in TICKERS}, index=idx)
            ex = pd.DataFrame({t: cross(ss[t], sf[t]) for t in TICKERS}, index=idx)
            kw = {}
            if "trailing_stop" in stops:
                kw = dict(sl_stop=stops["trailing_stop"], sl_trail=True)
            else:
                kw = dict(sl_stop=stops["stop_loss"])
                if stops["take_profit"] is not None:
                    kw["tp_stop"] = stops["take_profit"]
            pf = vbt.Portfolio.from_signals(close, ent, ex, open=open_, high=high, low=low,
                                            init_cash=100_000 / len(TICKERS), fees=0.001, freq="1D", **kw)
            finals = pf.value().iloc[-1]
            point = f"fast={fast};slow={slow};" + ";".join(f"{k}={v}" for k, v in stops.items() if v is not None)
            w.writerow([point, repr(float(finals.sum())), int(pf.orders.count().sum()),
                        int(pf.trades.count().sum())] + [repr(float(finals[t])) for t in TICKERS])
    print("wrote", OUT, "dates", dates[0], dates[-1], len(dates))


BT_POINTS = [(f, s, sl, tp) for f, s in ((10, 30), (20, 50)) for sl, tp in ((0.05, 0.10), (0.03, None), (None, 0.08))]


def backtesting_py():
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    df = pd.read_csv(os.path.join(os.path.dirname(ROOT), "shared", "data", "goog-2004-2013.csv"), index_col=0,
                     parse_dates=True)
    df.index.name = "Date"

    def SMA(values, n):
        return pd.Series(values).rolling(n).mean()

    class SmaStops(Strategy):
        n1 = 10
        n2 = 30
        sl = None
        tp = None

        def init(self):
            self.sma1 = self.I(SMA, self.data.Close, self.n1)
            self.sma2 = self.I(SMA, self.data.Close, self.n2)

        def next(self):
            for t in self.trades:
                # Levels from the fill price, set once the fill is known (checked from the next bar on).
                if self.sl is not None and t.sl is None:
                    t.sl = t.entry_price * (1 - self.sl)
                if self.tp is not None and t.tp is None:
                    t.tp = t.entry_price * (1 + self.tp)
            if crossover(self.sma1, self.sma2):
                if not self.position:
                    self.buy()
            elif crossover(self.sma2, self.sma1):
                self.position.close()

    curves, trades = {}, []
    for f, s, sl, tp in BT_POINTS:
        bt = Backtest(df, SmaStops, cash=10_000, commission=0.001, trade_on_close=False, exclusive_orders=False)
        st = bt.run(n1=f, n2=s, sl=sl, tp=tp)
        name = f"sma_{f}_{s}" + (f"_sl{sl}" if sl else "") + (f"_tp{tp}" if tp else "")
        curves[name] = st._equity_curve["Equity"].values
        for _, t in st._trades.iterrows():
            trades.append([name, str(t.EntryTime.date()), str(t.ExitTime.date()), int(t.Size), repr(float(t.EntryPrice)),
                           repr(float(t.ExitPrice))])
    out = pd.DataFrame(curves, index=df.index.strftime("%Y-%m-%d"))
    out.index.name = "date"
    out.to_csv(os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "backtestingpy-stops-goog.csv"),
               float_format="%.17g")
    with open(os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "backtestingpy-stops-goog-trades.csv"), "w",
              newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["point", "entry_date", "exit_date", "size", "entry_price", "exit_price"])
        w.writerows(trades)
    print("wrote backtesting.py stop fixtures:", len(curves), "points,", len(trades), "trades")


main()
backtesting_py()
