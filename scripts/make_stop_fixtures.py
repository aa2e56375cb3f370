#!/usr/bin/env python3
"""Reference results for `stops:`, from vectorbt 1.2.0 `Portfolio.from_signals` with open/high/low given.

Creates .venv-fixtures (if missing) with vectorbt 1.2.0 and ta-lib 0.8.2, then writes
Tests/EngineTests/Fixtures/vectorbt-stops-us.csv: SMA-crossover entries and exits (TA-Lib's SMA) on ten stocks of
../shared/data/us-equities (full history, each stock its own column with an equal share of 100,000 and no cash
sharing, fill at the close, fees 0.1%, fractional sizes), with a stop-loss x take-profit grid (`sl_stop`,
`tp_stop`) and a trailing-stop grid (`sl_stop` with `sl_trail=True`). Per point: the final value summed over the
columns, the number of orders, the number of closed trades, and each column's final value.
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
    subprocess.check_call([py, "-m", "pip", "install", "-q", "vectorbt==1.2.0", "ta-lib==0.8.2"])
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


main()
