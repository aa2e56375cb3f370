#!/usr/bin/env python3
"""Golden values for Hindsight's indicator library, from the `ta-lib` Python package (it bundles TA-Lib's C library).

Creates .venv-fixtures (if missing) with ta-lib 0.8.2, then writes Tests/SignalsTests/Fixtures/talib-us-equities.csv.gz:
one row per (expression, ticker, bar) with TA-Lib's value (empty = NaN) on each ticker's full history in
../shared/data/us-equities/prices.csv.gz. Bars are each ticker's own rows in date order. Every bar up to the first
valid one plus 60 is kept (so the first valid bar is pinned), then every 7th bar and the last one.
"""
import csv, gzip, io, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "SignalsTests", "Fixtures", "talib-us-equities.csv.gz")
PRICES = os.path.join(os.path.dirname(ROOT), "shared", "data", "us-equities", "prices.csv.gz")
TICKERS = ["AAPL", "JPM", "SPY", "XOM", "FB", "KO"]

if sys.prefix != VENV:
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "ta-lib==0.8.2", "numpy"])
    os.execv(py, [py, os.path.abspath(__file__)])

import numpy as np  # noqa: E402
import talib  # noqa: E402


def cases(o, h, l, c, v):
    return {
        "sma(close, 20)": talib.SMA(c, 20), "ema(close, 20)": talib.EMA(c, 20), "wma(close, 20)": talib.WMA(c, 20),
        "dema(close, 20)": talib.DEMA(c, 20), "tema(close, 20)": talib.TEMA(c, 20),
        "trima(close, 20)": talib.TRIMA(c, 20), "trima(close, 15)": talib.TRIMA(c, 15),
        "kama(close, 10)": talib.KAMA(c, 10), "rsi(close, 14)": talib.RSI(c, 14), "rsi(close, 2)": talib.RSI(c, 2),
        "cmo(close, 14)": talib.CMO(c, 14),
        "macd(close, 12, 26, 9)": talib.MACD(c, 12, 26, 9)[0],
        "macd_signal(close, 12, 26, 9)": talib.MACD(c, 12, 26, 9)[1],
        "macd_hist(close, 12, 26, 9)": talib.MACD(c, 12, 26, 9)[2],
        "bbands_upper(close, 20, 2)": talib.BBANDS(c, 20, 2, 2)[0],
        "bbands_middle(close, 20, 2)": talib.BBANDS(c, 20, 2, 2)[1],
        "bbands_lower(close, 20, 2)": talib.BBANDS(c, 20, 2, 2)[2],
        "atr(14)": talib.ATR(h, l, c, 14), "natr(14)": talib.NATR(h, l, c, 14), "trange()": talib.TRANGE(h, l, c),
        "adx(14)": talib.ADX(h, l, c, 14), "plus_di(14)": talib.PLUS_DI(h, l, c, 14),
        "minus_di(14)": talib.MINUS_DI(h, l, c, 14), "cci(14)": talib.CCI(h, l, c, 14),
        "stoch_k(14, 3, 3)": talib.STOCH(h, l, c, 14, 3, 0, 3, 0)[0],
        "stoch_d(14, 3, 3)": talib.STOCH(h, l, c, 14, 3, 0, 3, 0)[1],
        "willr(14)": talib.WILLR(h, l, c, 14), "ultosc(7, 14, 28)": talib.ULTOSC(h, l, c, 7, 14, 28),
        "mfi(14)": talib.MFI(h, l, c, v, 14), "obv()": talib.OBV(c, v), "ad()": talib.AD(h, l, c, v),
        "roc(close, 10)": talib.ROC(c, 10), "mom(close, 10)": talib.MOM(c, 10),
        "stddev(close, 20)": talib.STDDEV(c, 20, 1), "linearreg_slope(close, 14)": talib.LINEARREG_SLOPE(c, 14),
        "highest(high, 20)": talib.MAX(h, 20), "lowest(low, 20)": talib.MIN(l, 20),
        "aroon_up(14)": talib.AROON(h, l, 14)[1], "aroon_down(14)": talib.AROON(h, l, 14)[0],
        "sar(0.02, 0.2)": talib.SAR(h, l, 0.02, 0.2),
    }


def main():
    rows = {}
    with gzip.open(PRICES, "rt") as f:
        for r in csv.DictReader(f):
            if r["ticker"] in TICKERS:
                rows.setdefault(r["ticker"], []).append(r)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["expression", "ticker", "bar", "value"])
    for t in TICKERS:
        rs = sorted(rows[t], key=lambda r: r["date"])
        o, h, l, c, v = [np.array([float(r[k]) for r in rs]) for k in ("open", "high", "low", "close", "volume")]
        for expr, ref in cases(o, h, l, c, v).items():
            valid = np.where(~np.isnan(ref))[0]
            first = int(valid[0]) if len(valid) else len(ref)
            for i in range(len(ref)):
                if i <= first + 60 or i % 7 == 0 or i == len(ref) - 1:
                    w.writerow([expr, t, i, "" if np.isnan(ref[i]) else repr(float(ref[i]))])
    with gzip.open(OUT, "wt", compresslevel=9) as f:
        f.write(out.getvalue())
    print("wrote", OUT, "ta-lib", talib.__version__, talib.__ta_version__)


main()
