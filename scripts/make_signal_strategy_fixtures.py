#!/usr/bin/env python3
"""Reference results for `kind: signals`, from vectorbt 1.2.0 `Portfolio.from_signals` with TA-Lib's indicators.

Creates .venv-fixtures (if missing) with vectorbt 1.2.0 and ta-lib 0.8.2, then writes
Tests/EngineTests/Fixtures/vectorbt-signals-us.csv: for each grid point of an RSI mean-reversion, a Bollinger and a
MACD strategy on ten stocks of ../shared/data/us-equities (full history, each stock its own column with an equal
share of 100,000 and no cash sharing, fill at the close, fees 0.1%, fractional sizes), the final value summed over
the columns, the number of orders, and the final value of each column.
"""
import csv, gzip, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "vectorbt-signals-us.csv")
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
    for n in (7, 14, 21):
        for lo in (25, 30):
            for hi in (65, 70, 75):
                yield ("rsi", f"n={n};lo={lo};hi={hi}",
                       lambda c, n=n, lo=lo: talib.RSI(c, n) < lo, lambda c, n=n, hi=hi: talib.RSI(c, n) > hi)
    for n in (10, 20, 30):
        for k in (1.5, 2.0, 2.5):
            yield ("bbands", f"n={n};k={k}",
                   lambda c, n=n, k=k: c < talib.BBANDS(c, n, k, k)[2], lambda c, n=n, k=k: c > talib.BBANDS(c, n, k, k)[1])
    for f, s, g in ((12, 26, 9), (8, 21, 5), (5, 35, 5)):
        def cross(c, f=f, s=s, g=g, up=True):
            m, sig, _ = talib.MACD(c, f, s, g)
            a, b = (m, sig) if up else (sig, m)
            prev_a, prev_b = np.roll(a, 1), np.roll(b, 1)
            out = (a > b) & (prev_a <= prev_b)
            out[0] = False
            return out
        yield ("macd", f"fast={f};slow={s};signal={g}", lambda c, cr=cross: cr(c, up=True), lambda c, cr=cross: cr(c, up=False))


def main():
    rows = {}
    with gzip.open(PRICES, "rt") as f:
        for r in csv.DictReader(f):
            if r["ticker"] in TICKERS:
                rows.setdefault(r["ticker"], {})[r["date"]] = float(r["close"])
    dates = sorted(set.intersection(*[set(v) for v in rows.values()]))
    assert all(len(rows[t]) == len(dates) for t in TICKERS), "every ticker must have a bar on every date"
    close = pd.DataFrame({t: [rows[t][d] for d in dates] for t in TICKERS}, index=pd.to_datetime(dates))
    with open(OUT, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["family", "point", "final_value", "orders"] + TICKERS)
        for family, point, entry, exit_ in grids():
            ent = pd.DataFrame({t: entry(close[t].values) for t in TICKERS}, index=close.index)
            ex = pd.DataFrame({t: exit_(close[t].values) for t in TICKERS}, index=close.index)
            pf = vbt.Portfolio.from_signals(close, ent, ex, init_cash=100_000 / len(TICKERS), fees=0.001, freq="1D")
            finals = pf.value().iloc[-1]
            w.writerow([family, point, repr(float(finals.sum())), int(pf.orders.count().sum())]
                       + [repr(float(finals[t])) for t in TICKERS])
    print("wrote", OUT, "dates", dates[0], dates[-1], len(dates))


main()
